/**
 * Ending a task: the terminal transition (with the executions' metrics and
 * usage in the same transaction) and the stream's last event — `done` with
 * the envelope, or `error` when output was already streamed and the task
 * then failed (never a silent `done` after a cut).
 */
import { InternalError, TaskTimedOutError, isAionError } from '../../core/errors/index.js'
import type { NewUsage, Store, TaskPatch, TaskRecord, TaskStatus } from '../../storage/index.js'
import type { TaskContext } from '../execution/task-context.js'
import { isTerminal, toEnvelope } from '../lifecycle/task-envelope.js'
import { metricEvent, type ExecutionMetric } from '../lifecycle/platform-topics.js'
import { applyTransition, type Transition } from '../lifecycle/task-transitions.js'

/** Minimal logger surface (pino's). */
export interface TaskLogger {
  error(object: Record<string, unknown>, message: string): void
  warn(object: Record<string, unknown>, message: string): void
}

/** The envelope error of whatever stopped a task; unknown errors become internal, logged. */
export function taskError(error: unknown, logger: TaskLogger, taskId: string) {
  if (isAionError(error)) {
    return { code: error.code, message: error.message, retryable: error.retryable }
  }
  logger.error({ err: error, taskId }, 'task failed with an unexpected error')
  const internal = new InternalError({ reference: taskId })
  return { code: internal.code, message: internal.message, retryable: false }
}

/** The terminal status an abort reason leads to. */
export function abortStatus(reason: unknown): TaskStatus {
  return reason instanceof TaskTimedOutError ? 'timed_out' : 'cancelled'
}

/**
 * Applies a transition of the runner's own task: from the record the context
 * holds (no read back), which then becomes the new one.
 */
export async function advanceTask(
  store: Store,
  ctx: TaskContext,
  t: Omit<Transition, 'tenantId' | 'taskId' | 'current'>,
): Promise<TaskRecord | undefined> {
  const record = await applyTransition(store, {
    ...t,
    tenantId: ctx.tenantId,
    taskId: ctx.taskId,
    current: ctx.record,
  })
  if (record) ctx.record = record
  return record
}

export interface FinishInput {
  readonly from: TaskStatus | readonly TaskStatus[]
  readonly patch: Omit<TaskPatch, 'updated_at'> & { readonly status: TaskStatus }
  readonly metrics?: readonly ExecutionMetric[]
  readonly usage?: readonly NewUsage[]
}

/** Writes the terminal transition and ends the stream; resolves with the final record. */
export async function finishTask(
  store: Store,
  logger: TaskLogger,
  ctx: TaskContext,
  input: FinishInput,
): Promise<TaskRecord | undefined> {
  const metrics = input.metrics ?? []
  let record: TaskRecord | undefined
  try {
    record = await advanceTask(store, ctx, {
      from: input.from,
      patch: { ...input.patch, updated_at: new Date().toISOString() },
      events: () => metrics.map((m) => metricEvent(ctx.tenantId, ctx.taskId, m)),
      ...(input.usage ? { usage: input.usage } : {}),
    })
    // Another writer ended it first: the stream still gets the stored end.
    record ??= await store.tasks.get(ctx.tenantId, ctx.taskId)
  } catch (error) {
    logger.error({ err: error, taskId: ctx.taskId }, 'could not persist the end of a task')
    ctx.stream.fail(taskError(error, logger, ctx.taskId), {
      ...provisionalEnvelope(ctx),
      status: 'failed',
      error: taskError(error, logger, ctx.taskId),
    })
    return undefined
  }
  if (record && isTerminal(record.status)) endStream(ctx, record)
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
