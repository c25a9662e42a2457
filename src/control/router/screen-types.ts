/** What screening one route produces and reads: candidates, exclusions, the request's fixed facts. */
import type { Engine, PrivacyMode, Route } from '../../../contracts/generated/index.js'
import type { ExcludedEngine } from '../../core/errors/index.js'
import type { ReasonCode } from './reason-codes.js'
import type { EngineState, RoutingFeatures } from './router-port.js'
import type { IntentPlan } from './routing-plan.js'

/** Tier recorded for module engines (and pipelines of modules), which run on the host like tier0 models. */
export const moduleTier = 'tier0'

/** One eligible engine with what it is expected to consume. */
export interface Candidate {
  readonly route: Route
  readonly engine: Engine
  readonly tier: string
  readonly inputTokens: number
  readonly outputTokens: number
  readonly costUsd: number
  readonly latencyMs: number
  readonly fitsLatency: boolean
  /** Preference before the latency rule (lower first): 0 modules and pipelines of modules, then models. */
  readonly kindRank: number
  readonly tierIndex: number
  readonly order: number
  /** For a pipeline: whether a redact step runs right before its model step. */
  readonly redactsFirst?: boolean
}

/** What the rules hold fixed for one request. */
export interface ScreenContext {
  readonly plan: IntentPlan
  readonly features: RoutingFeatures
  readonly engines: EngineState
  /** Effective privacy: the request's, tightened by policies' local-only list. */
  readonly privacy: PrivacyMode
  /** min(budget, hard cap), never negative. */
  readonly limitUsd: number
  /** Latency target per route (the request's `max_latency_ms`, else policies' p95). */
  readonly targetMs: (route: Route) => number
}

/** The eligible engines of a route and the excluded ones with every reason. */
export interface RouteScreen {
  readonly eligible: Candidate[]
  readonly excluded: ExcludedEngine[]
}

/** Records an excluded engine with its reasons. */
export function exclude(out: RouteScreen, route: Route, engine: string, reasons: ReasonCode[]) {
  out.excluded.push({ route, engine, reasons })
}
