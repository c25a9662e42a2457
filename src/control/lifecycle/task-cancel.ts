/**
 * Cancelling a task. One running in this process is stopped through its
 * abort signal (the provider call is aborted, the module instance killed)
 * and ended `cancelled` by its runner; one only in the store (another
 * process's, or left by one) is ended here by the state machine. A task
 * already ended is returned as it is. Every request is audited with its
 * outcome.
 */
import type { ResultEnvelope } from '../../../contracts/generated/index.js'
import { TaskNotFoundError } from '../../core/errors/index.js'
import type { Store } from '../../storage/index.js'
import type { Actor } from '../../core/domain/index.js'
import { writeAudit } from './audit-writes.js'
import { taskError, type TaskLogger } from './task-errors.js'
import { isTerminal, toEnvelope } from './task-envelope.js'
import type { TaskMachine } from './task-machine.js'

/** The tasks running in this process, as cancellation sees them (the orchestrator). */
export interface LiveTasks {
  /**
   * Stops the tenant's task with `reason` when it runs here and resolves
   * with its envelope once its end is written (or as it is after a bounded
   * wait); undefined when it does not run here.
   */
  stopLive(tenantId: string, taskId: string, reason: unknown): Promise<ResultEnvelope | undefined>
}

export interface CancelDeps {
  readonly store: Store
  readonly machine: TaskMachine
  readonly live: LiveTasks
  readonly logger: TaskLogger
}

async function cancelStored(
  deps: CancelDeps,
  actor: Actor,
  taskId: string,
  reason: unknown,
): Promise<ResultEnvelope> {
  const record = await deps.store.tasks.get(actor.tenantId, taskId)
  if (!record) throw new TaskNotFoundError({ taskId })
  if (isTerminal(record.status)) return toEnvelope(record)
  const key = { tenantId: actor.tenantId, taskId }
  const updated = await deps.machine.stop(key, reason, taskError(reason, deps.logger, taskId))
  const final = updated ?? (await deps.store.tasks.get(actor.tenantId, taskId))
  return toEnvelope(final ?? record)
}

/** Cancels the actor's task and answers with its envelope. */
export async function cancelTask(
  deps: CancelDeps,
  actor: Actor,
  taskId: string,
  reason: unknown,
): Promise<ResultEnvelope> {
  const envelope =
    (await deps.live.stopLive(actor.tenantId, taskId, reason)) ??
    (await cancelStored(deps, actor, taskId, reason))
  const outcome = envelope.status === 'cancelled' ? 'success' : 'failure'
  const at = new Date().toISOString()
  await deps.store.transaction((tx) =>
    writeAudit(
      tx,
      {
        actor,
        action: 'task.cancel',
        target: taskId,
        outcome,
        details: { status: envelope.status },
      },
      at,
    ),
  )
  return envelope
}
