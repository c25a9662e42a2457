/**
 * Executing a routed task: the chosen engine, retried with jittered backoff
 * on retryable errors, then each fallback in order. Output already streamed
 * to the client (model tokens; a module's final partial) stops everything: a
 * retry would repeat or contradict it. A pipeline's per-step partials do not
 * (each replaces the previous, so a later attempt may still follow).
 */
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import {
  CircuitOpenError,
  EngineUnavailableError,
  PipelineStepUnavailableError,
  RouteUnsupportedError,
  isAionError,
} from '../../core/errors/index.js'
import type { NewUsage } from '../../storage/index.js'
import type { ExecutionMetric } from '../lifecycle/platform-topics.js'
import { backoffMs, sleep } from '../resilience/retry-backoff.js'
import { failureMetric, successMetric } from './execution-metrics.js'
import type { EngineOutcome, EngineTarget, ExecutionDeps } from './execution-deps.js'
import { runModel } from './model-execution.js'
import { runModule } from './module-execution.js'
import { runPipeline, type StepTrail } from './pipeline-execution.js'
import type { TaskContext } from './task-context.js'

/** Retry settings of one task. */
export interface RetryOptions {
  readonly retryMax: number
  readonly retryBaseMs: number
}

/** How the attempts ended. */
export type AttemptsResult =
  | {
      readonly ok: true
      readonly target: EngineTarget
      readonly outcome: EngineOutcome
      /** Every `usage_billing` row to write: the outcome's, and those of charged steps of failed attempts. */
      readonly usage: readonly NewUsage[]
    }
  | {
      readonly ok: false
      readonly error: unknown
      /** The engine that failed last (null when none was tried). */
      readonly target: EngineTarget | null
      /** True when the signal aborted (cancel, timeout, drain): its reason decides the status. */
      readonly aborted: boolean
      /** `usage_billing` rows of pipeline steps that completed (and were charged) before a failure. */
      readonly usage: readonly NewUsage[]
      /** Milliseconds from the first attempt's start to the failure (the envelope's `duration_ms`). */
      readonly durationMs: number
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
  trail: StepTrail,
): Promise<EngineOutcome> {
  switch (target.engine.kind) {
    case 'model':
      return runModel(deps, ctx, target, signal)
    case 'module':
      return runModule(deps, ctx, target, signal)
    case 'pipeline':
      return runPipeline(deps, ctx, target, signal, trail)
    default:
      throw new RouteUnsupportedError({ kind: target.engine.kind, engine: target.engine.name })
  }
}

const failFastCodes: ReadonlySet<string> = new Set([
  CircuitOpenError.code,
  EngineUnavailableError.code,
])

/** Errors worth another try on the same engine (a pipeline step's: by its own error). */
function retrySameEngine(error: unknown): boolean {
  if (!isAionError(error)) return false
  if (failFastCodes.has(error.code)) return false
  if (
    error instanceof PipelineStepUnavailableError &&
    failFastCodes.has(String(error.fields.causeCode))
  )
    return false
  return error.retryable
}

/**
 * Retries allowed on `target`: the task's, and for a module no more than its
 * manifest's `policies.retries` (a module with `retries: 0` runs once, even on a
 * retryable error such as AION_MODULE_TIMEOUT).
 */
function retriesOf(deps: ExecutionDeps, target: EngineTarget, retry: RetryOptions): number {
  if (target.engine.kind !== 'module') return retry.retryMax
  const module = deps.modules.modules().get(target.engine.name)
  return Math.min(retry.retryMax, module?.retries ?? 0)
}

/**
 * Runs the targets in order; `metrics` receives one entry per execution (and
 * one per pipeline step). Never throws: the result says how it ended.
 */
export async function executeWithFallback(
  deps: ExecutionDeps,
  ctx: TaskContext,
  targets: readonly EngineTarget[],
  retry: RetryOptions,
  metrics: ExecutionMetric[],
): Promise<AttemptsResult> {
  const signal = ctx.abort.signal
  const charged: NewUsage[] = []
  const startedAt = performance.now()
  let last: { error: unknown; target: EngineTarget | null } = { error: undefined, target: null }
  const failed = (error: unknown, target: EngineTarget | null, aborted: boolean) =>
    ({
      ok: false,
      error,
      target,
      aborted,
      usage: charged,
      durationMs: Math.round(performance.now() - startedAt),
    }) as const
  for (const target of targets) {
    const retries = retriesOf(deps, target, retry)
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      const started = performance.now()
      try {
        const outcome = await runEngine(deps, ctx, target, signal, { metrics, charged, attempt })
        metrics.push(successMetric(target.engine, target.route, attempt, outcome))
        return { ok: true, target, outcome, usage: [...charged, ...outcome.usage] }
      } catch (error) {
        const durationMs = Math.round(performance.now() - started)
        metrics.push(failureMetric(target.engine, target.route, attempt, durationMs, error, signal))
        if (signal.aborted) return failed(signal.reason, target, true)
        last = { error, target }
        if (ctx.streamedOutput) return failed(error, target, false)
        if (!retrySameEngine(error) || attempt > retries) break
        try {
          await sleep(backoffMs(attempt, retry.retryBaseMs), signal)
        } catch {
          return failed(signal.reason, target, true)
        }
      }
    }
  }
  return failed(last.error, last.target, false)
}
