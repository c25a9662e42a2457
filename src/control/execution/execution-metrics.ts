/** The metric of one execution of one engine (or one pipeline step), successful or not. */
import { isAionError } from '../../core/errors/index.js'
import type { ExecutionMetric } from '../lifecycle/platform-topics.js'

/** The engine a metric is about. */
export interface MetricEngine {
  readonly name: string
  readonly kind: string
}

/** What a successful execution consumed. */
export interface Consumed {
  readonly durationMs: number
  readonly inputTokens: number
  readonly outputTokens: number
  readonly costUsd: number
}

export function successMetric(
  engine: MetricEngine,
  route: string,
  attempt: number,
  consumed: Consumed,
): ExecutionMetric {
  return {
    engine: engine.name,
    kind: engine.kind,
    route,
    attempt,
    durationMs: consumed.durationMs,
    inputTokens: consumed.inputTokens,
    outputTokens: consumed.outputTokens,
    costUsd: consumed.costUsd,
    outcome: 'success',
  }
}

/** A failed execution: `cancelled`/`timed_out` when the task's signal stopped it. */
export function failureMetric(
  engine: MetricEngine,
  route: string,
  attempt: number,
  durationMs: number,
  error: unknown,
  signal: AbortSignal,
): ExecutionMetric {
  const reason: unknown = signal.aborted ? signal.reason : error
  const code = isAionError(reason) ? reason.code : 'AION_INTERNAL_UNEXPECTED'
  return {
    engine: engine.name,
    kind: engine.kind,
    route,
    attempt,
    durationMs,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    outcome: !signal.aborted
      ? 'failure'
      : code === 'AION_TASK_TIMED_OUT'
        ? 'timed_out'
        : 'cancelled',
    errorCode: code,
  }
}
