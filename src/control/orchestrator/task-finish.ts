/**
 * Ending a task this process runs: the state machine writes the end (with
 * the executions' metrics and usage in the same transaction), then the
 * stream gets its last event — `done` with the envelope, or `error` when
 * output was already streamed and the task then failed (never a silent
 * `done` after a cut).
 */
import { TaskMovedError, TaskTimedOutError } from '../../core/errors/index.js'
import type { Store, TaskRecord, TaskStatus } from '../../storage/index.js'
import type { TaskContext } from '../execution/task-context.js'
import { taskError, type TaskLogger } from '../lifecycle/task-errors.js'
import { isTerminal, toEnvelope } from '../lifecycle/task-envelope.js'
import type { Outcome, TaskMachine } from '../lifecycle/task-machine.js'

/** What ending a task needs. */
export interface EndDeps {
  readonly machine: TaskMachine
  readonly store: Store
  readonly logger: TaskLogger
}

/** The terminal status an abort reason leads to. */
export function abortStatus(reason: unknown): TaskStatus {
  return reason instanceof TaskTimedOutError ? 'timed_out' : 'cancelled'
}

/**
 * Runs a transition of the runner's own task from the record the context
 * holds, which then becomes the new one; undefined when another writer
 * changed the task first.
 */
export async function advance(
  ctx: TaskContext,
  change: (current: TaskRecord) => Promise<TaskRecord | undefined>,
): Promise<TaskRecord | undefined> {
  const record = await change(ctx.record)
  if (record) ctx.record = record
  return record
}

/** Ends the task at its engine (or failed before one ran), and its stream. */
export function finishTask(deps: EndDeps, ctx: TaskContext, outcome: Outcome) {
  return endWith(deps, ctx, (current) => deps.machine.finish(current, outcome))
}

/** Stops the task with `reason` (cancelled, timed out, draining), and ends its stream. */
export function stopTask(
  deps: EndDeps,
  ctx: TaskContext,
  reason: unknown,
  extra?: Omit<Outcome, 'status'>,
) {
  const error = taskError(reason, deps.logger, ctx.taskId)
  return endWith(deps, ctx, (current) => deps.machine.stop(current, reason, error, extra))
}

/** Ends the stream of a task another writer ended, with what the store holds. */
export function endLeftover(deps: EndDeps, ctx: TaskContext) {
  return endWith(deps, ctx, () => Promise.resolve(undefined))
}

async function endWith(
  deps: EndDeps,
  ctx: TaskContext,
  write: (current: TaskRecord) => Promise<TaskRecord | undefined>,
): Promise<TaskRecord | undefined> {
  let record: TaskRecord | undefined
  try {
    record = await advance(ctx, write)
    // Another writer ended it first: the stream still gets the stored end.
    record ??= await deps.store.tasks.get(ctx.tenantId, ctx.taskId)
  } catch (error) {
    deps.logger.error({ err: error, taskId: ctx.taskId }, 'could not persist the end of a task')
    const failure = taskError(error, deps.logger, ctx.taskId)
    ctx.stream.fail(failure, { ...provisionalEnvelope(ctx), status: 'failed', error: failure })
    return undefined
  }
  if (record && isTerminal(record.status)) endStream(ctx, record)
  else if (record && record.lease_owner !== deps.machine.owner) {
    // Another process took the task over: it goes on there, and this stream ends here.
    const moved = new TaskMovedError({ taskId: ctx.taskId })
    ctx.stream.fail(taskError(moved, deps.logger, ctx.taskId), toEnvelope(record))
  }
  return record
}

function endStream(ctx: TaskContext, record: TaskRecord): void {
  const envelope = toEnvelope(record)
  if (record.status === 'failed' && ctx.streamedOutput && record.error) {
    ctx.stream.fail(record.error, envelope)
  } else {
    ctx.stream.done(envelope)
  }
}

/** What is known of the task without the store, for a stream that must end anyway. */
function provisionalEnvelope(ctx: TaskContext) {
  const now = new Date().toISOString()
  return {
    task_id: ctx.taskId,
    intent: ctx.request.intent,
    route: null,
    engine: null,
    output: null,
    usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0, duration_ms: 0 },
    trace_id: ctx.traceId,
    created_at: now,
    updated_at: now,
  }
}
