/**
 * Executing a routed task: the chosen engine, retried with jittered backoff
 * on retryable errors, then each fallback in order. Output already streamed
 * to the client stops everything (a retry would repeat or contradict it).
 */
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import {
  CircuitOpenError,
  EngineUnavailableError,
  RouteUnsupportedError,
  isAionError,
} from '../../core/errors/index.js'
import type { ExecutionMetric } from '../lifecycle/platform-topics.js'
import { backoffMs, sleep } from '../orchestrator/retry-backoff.js'
import type { EngineOutcome, EngineTarget, ExecutionDeps } from './execution-deps.js'
import { runModel } from './model-execution.js'
import { runModule } from './module-execution.js'
import type { TaskContext } from './task-context.js'

/** Retry settings of one task. */
export interface RetryOptions {
  readonly retryMax: number
  readonly retryBaseMs: number
}

/** How the attempts ended. */
export type AttemptsResult =
  | { readonly ok: true; readonly target: EngineTarget; readonly outcome: EngineOutcome }
  | {
      readonly ok: false
      readonly error: unknown
      /** The engine that failed last (null when none was tried). */
      readonly target: EngineTarget | null
      /** True when the signal aborted (cancel, timeout, drain): its reason decides the status. */
      readonly aborted: boolean
    }

/** The decision's choice followed by its fallbacks. */
export function targetsOf(decision: RoutingDecision): EngineTarget[] {
  return [
    { route: decision.route, engine: decision.engine, tier: decision.tier },
    ...decision.fallbacks,
  ]
}

function runEngine(
  deps: ExecutionDeps,
  ctx: TaskContext,
  target: EngineTarget,
  signal: AbortSignal,
) {
  if (target.engine.kind === 'model') return runModel(deps, ctx, target, signal)
  if (target.engine.kind === 'module') return runModule(deps, ctx, target, signal)
  throw new RouteUnsupportedError({ kind: target.engine.kind, engine: target.engine.name })
}

/** Errors worth another try on the same engine. */
function retrySameEngine(error: unknown): boolean {
  if (error instanceof CircuitOpenError || error instanceof EngineUnavailableError) return false
  return isAionError(error) && error.retryable
}

/**
 * Runs the targets in order; `metrics` receives one entry per execution.
 * Never throws: the result says how it ended.
 */
export async function executeWithFallback(
  deps: ExecutionDeps,
  ctx: TaskContext,
  targets: readonly EngineTarget[],
  retry: RetryOptions,
  metrics: ExecutionMetric[],
): Promise<AttemptsResult> {
  const signal = ctx.abort.signal
  let last: { error: unknown; target: EngineTarget | null } = { error: undefined, target: null }
  for (const target of targets) {
    for (let attempt = 1; attempt <= retry.retryMax + 1; attempt++) {
      const started = performance.now()
      try {
        const outcome = await runEngine(deps, ctx, target, signal)
        metrics.push(metric(target, attempt, outcome, 'success'))
        return { ok: true, target, outcome }
      } catch (error) {
        const durationMs = Math.round(performance.now() - started)
        metrics.push(failureMetric(target, attempt, durationMs, error, signal))
        if (signal.aborted) return { ok: false, error: signal.reason, target, aborted: true }
        last = { error, target }
        if (ctx.streamedOutput) return { ok: false, error, target, aborted: false }
        if (!retrySameEngine(error) || attempt > retry.retryMax) break
        try {
          await sleep(backoffMs(attempt, retry.retryBaseMs), signal)
        } catch {
          return { ok: false, error: signal.reason, target, aborted: true }
        }
      }
    }
  }
  return { ok: false, error: last.error, target: last.target, aborted: false }
}

function metric(
  target: EngineTarget,
  attempt: number,
  outcome: EngineOutcome,
  result: ExecutionMetric['outcome'],
): ExecutionMetric {
  return {
    engine: target.engine.name,
    kind: target.engine.kind,
    route: target.route,
    attempt,
    durationMs: outcome.durationMs,
    inputTokens: outcome.inputTokens,
    outputTokens: outcome.outputTokens,
    costUsd: outcome.costUsd,
    outcome: result,
  }
}

function failureMetric(
  target: EngineTarget,
  attempt: number,
  durationMs: number,
  error: unknown,
  signal: AbortSignal,
): ExecutionMetric {
  const reason: unknown = signal.aborted ? signal.reason : error
  const code = isAionError(reason) ? reason.code : 'AION_INTERNAL_UNEXPECTED'
  return {
    engine: target.engine.name,
    kind: target.engine.kind,
    route: target.route,
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
