/** What executing an engine needs, and what one execution yields. */
import type { Engine, Route } from '../../../contracts/generated/index.js'
import type { ProviderSet } from '../../providers/model-provider.js'
import type { ModuleExecutor } from '../../runtime/module-executor.js'
import type { NewUsage } from '../../storage/index.js'
import type { JsonValue } from '../../core/domain/index.js'
import type { BudgetLedger } from '../budget/budget-ledger.js'
import type { CircuitBreakers } from '../resilience/circuit-breaker.js'
import type { LatencyTracker } from '../resilience/latency-tracker.js'

export interface ExecutionDeps {
  readonly providers: ProviderSet
  readonly modules: ModuleExecutor
  readonly budget: BudgetLedger
  readonly breakers: CircuitBreakers
  readonly latency: LatencyTracker
}

/** One engine to try: the decision's choice or one of its fallbacks. */
export interface EngineTarget {
  readonly route: Route
  readonly engine: Engine
  readonly tier: string
}

/** A successful execution. */
export interface EngineOutcome {
  readonly output: JsonValue
  readonly inputTokens: number
  readonly outputTokens: number
  readonly costUsd: number
  readonly durationMs: number
  /** The `usage_billing` rows of the execution: one per engine it ran (a pipeline: one per step). */
  readonly usage: readonly NewUsage[]
}
