/**
 * Cancelling a task. One in this process is stopped through its abort signal
 * (the provider call is aborted, the module instance killed) and ends
 * `cancelled` by its runner; one only in the store (left by another process)
 * is ended here. A task already ended is returned as it is. Every request is
 * audited with its outcome.
 */
import type { ResultEnvelope } from '../../../contracts/generated/index.js'
import { TaskNotFoundError } from '../../core/errors/index.js'
import type { Store } from '../../storage/index.js'
import type { Actor } from '../control-plane.js'
import type { Orchestrator } from '../orchestrator/orchestrator.js'
import { within } from '../orchestrator/bounded-wait.js'
import { taskError, type TaskLogger } from '../orchestrator/task-finish.js'
import { activeStatuses, isTerminal, toEnvelope } from './task-envelope.js'
import { applyTransition, writeAudit } from './task-transitions.js'

export interface CancelDeps {
  readonly store: Store
  readonly orchestrator: Orchestrator
  readonly logger: TaskLogger
}

/** How long a cancel waits for the runner to write the end before answering as it is. */
const settleMs = 10_000

async function cancelStored(
  deps: CancelDeps,
  actor: Actor,
  taskId: string,
  reason: unknown,
): Promise<ResultEnvelope> {
  const record = await deps.store.tasks.get(actor.tenantId, taskId)
  if (!record) throw new TaskNotFoundError({ taskId })
  if (isTerminal(record.status)) return toEnvelope(record)
  const updated = await applyTransition(deps.store, {
    tenantId: actor.tenantId,
    taskId,
    from: activeStatuses,
    patch: {
      status: 'cancelled',
      error: taskError(reason, deps.logger, taskId),
      updated_at: new Date().toISOString(),
    },
  })
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
  const ctx = deps.orchestrator.context(taskId)
  let envelope: ResultEnvelope
  if (ctx && ctx.tenantId === actor.tenantId) {
    await deps.orchestrator.stop(ctx, reason)
    envelope =
      (await within(ctx.stream.whenEnded(), settleMs)) ??
      toEnvelope((await deps.store.tasks.get(actor.tenantId, taskId))!)
  } else {
    envelope = await cancelStored(deps, actor, taskId, reason)
  }
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
