/**
 * The per-request half of the rules: for one route, every candidate engine
 * either passes every rule (privacy, provider policy and configuration,
 * circuit, context window, budget) or is excluded with all its reasons.
 * Eligible engines come back in preference order: those expected to meet
 * the latency target first, then modules before models, earlier allowed
 * tiers, lower estimated cost, registry order.
 */
import type { Engine, PrivacyMode, Route } from '../../../contracts/generated/index.js'
import type { ExcludedEngine } from '../../core/errors/index.js'
import { costUsd } from '../../providers/cost.js'
import type { EngineState, RoutingFeatures } from './router-port.js'
import { boundedLatencyMs, latencyPriors, modelLatencyPriorMs } from './latency-estimate.js'
import { ReasonCode } from './reason-codes.js'
import {
  fitsEngineName,
  redactionIntent,
  semverPattern,
  type IntentPlan,
  type ModelOption,
} from './routing-plan.js'

/** Tier recorded for module engines, which run on the host like tier0 models. */
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
  /** Preference before the latency rule (lower first): 0 modules, then models. */
  readonly kindRank: number
  readonly tierIndex: number
  readonly order: number
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

export interface RouteScreen {
  readonly eligible: Candidate[]
  readonly excluded: ExcludedEngine[]
}

interface Screening {
  readonly eligible: Candidate[]
  readonly excluded: ExcludedEngine[]
}

/** Screens every candidate of `route` for the request. */
export function screenRoute(route: Route, ctx: ScreenContext): RouteScreen {
  const out: Screening = { eligible: [], excluded: [] }
  if (route === 'local') {
    screenModules(ctx, out)
    ctx.plan.localModels.forEach((option, i) => screenModel(route, option, i, ctx, out))
  } else if (route === 'api') {
    ctx.plan.cloudModels.forEach((option, i) => screenModel(route, option, i, ctx, out))
  } else {
    screenPipelines(ctx, out)
  }
  out.eligible.sort(preference)
  return out
}

function preference(a: Candidate, b: Candidate): number {
  if (a.fitsLatency !== b.fitsLatency) return a.fitsLatency ? -1 : 1
  return (
    a.kindRank - b.kindRank ||
    a.tierIndex - b.tierIndex ||
    a.costUsd - b.costUsd ||
    a.order - b.order
  )
}

function screenModules(ctx: ScreenContext, out: Screening): void {
  let order = 0
  for (const [name, module] of ctx.engines.modules()) {
    if (!module.intents.includes(ctx.plan.name)) continue
    const engine: Engine = { kind: 'module', name, version: module.version, tier: moduleTier }
    if (!fitsEngineName(name) || !semverPattern.test(module.version)) {
      exclude(out, 'local', name, [ReasonCode.ENGINE_NAME_UNSUPPORTED])
      continue
    }
    const latencyMs = boundedLatencyMs(
      ctx.engines.observedLatencyMs(name) ?? latencyPriors.moduleMs,
    )
    out.eligible.push({
      route: 'local',
      engine,
      tier: moduleTier,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      latencyMs,
      fitsLatency: latencyMs <= ctx.targetMs('local'),
      kindRank: 0,
      tierIndex: -1,
      order: order++,
    })
  }
}

function screenModel(
  route: Route,
  option: ModelOption,
  order: number,
  ctx: ScreenContext,
  out: Screening,
): void {
  const { inputTokens, outputTokens, cost } = modelCost(option, ctx.features)
  const reasons = modelReasons(route, option, cost, ctx)
  if (reasons.length > 0) return exclude(out, route, option.ref, reasons)
  const latencyMs = boundedLatencyMs(
    ctx.engines.observedLatencyMs(option.ref) ?? modelLatencyPriorMs(option.local, outputTokens),
  )
  out.eligible.push({
    route,
    engine: modelEngine(option),
    tier: option.tier,
    inputTokens,
    outputTokens,
    costUsd: cost,
    latencyMs,
    fitsLatency: latencyMs <= ctx.targetMs(route),
    kindRank: 1,
    tierIndex: option.tierIndex,
    order,
  })
}

function screenPipelines(ctx: ScreenContext, out: Screening): void {
  const redactor = findRedactor(ctx.engines)
  ctx.plan.cloudModels.forEach((option, order) => {
    const name = `${redactor?.name ?? redactionIntent}+${option.ref}`
    const { inputTokens, outputTokens, cost } = modelCost(option, ctx.features)
    const reasons = modelReasons('hybrid', option, cost, ctx)
    if (!redactor) reasons.push(ReasonCode.REDACTOR_UNAVAILABLE)
    if (!fitsEngineName(name)) reasons.push(ReasonCode.ENGINE_NAME_UNSUPPORTED)
    if (!redactor || reasons.length > 0) return exclude(out, 'hybrid', name, reasons)
    const observed = ctx.engines.observedLatencyMs(name)
    const estimated =
      (ctx.engines.observedLatencyMs(redactor.name) ?? latencyPriors.moduleMs) +
      (ctx.engines.observedLatencyMs(option.ref) ?? modelLatencyPriorMs(false, outputTokens))
    const latencyMs = boundedLatencyMs(observed ?? estimated)
    const { kind: _kind, name: _name, ...modelStep } = modelEngine(option)
    out.eligible.push({
      route: 'hybrid',
      engine: { kind: 'pipeline', name, ...modelStep },
      tier: option.tier,
      inputTokens,
      outputTokens,
      costUsd: cost,
      latencyMs,
      fitsLatency: latencyMs <= ctx.targetMs('hybrid'),
      kindRank: 1,
      tierIndex: option.tierIndex,
      order,
    })
  })
}

/** The first available module serving `redact_pii` whose name and version the contract can carry. */
function findRedactor(engines: EngineState): { name: string; version: string } | undefined {
  for (const [name, module] of engines.modules()) {
    if (!module.intents.includes(redactionIntent)) continue
    if (fitsEngineName(name) && semverPattern.test(module.version)) {
      return { name, version: module.version }
    }
  }
  return undefined
}

/** Every rule a model (or a pipeline's model step) breaks on `route`. */
function modelReasons(
  route: Route,
  option: ModelOption,
  cost: number,
  ctx: ScreenContext,
): ReasonCode[] {
  const reasons: ReasonCode[] = [...option.staticReasons]
  if (!option.local) {
    // The payload leaves the host: local-only never; hybrid only after redaction.
    if (ctx.privacy === 'local-only') reasons.push(ReasonCode.PRIVACY_LOCAL_ONLY)
    else if (ctx.privacy === 'hybrid' && route !== 'hybrid') reasons.push(ReasonCode.PRIVACY_HYBRID)
  }
  if (!ctx.engines.isProviderConfigured(option.provider))
    reasons.push(ReasonCode.PROVIDER_NOT_CONFIGURED)
  if (ctx.engines.isCircuitOpen(option.provider)) reasons.push(ReasonCode.CIRCUIT_OPEN)
  const { estimatedInputTokens: input, estimatedOutputTokens: output } = ctx.features
  if (option.contextTokens !== undefined && input + output > option.contextTokens)
    reasons.push(ReasonCode.CONTEXT_TOO_SMALL)
  if (!(cost <= ctx.limitUsd)) reasons.push(ReasonCode.BUDGET_EXCEEDED)
  return reasons
}

/** Token and cost estimate of one model call; the contract caps token counts at 1e8. */
function modelCost(
  option: ModelOption,
  features: RoutingFeatures,
): { inputTokens: number; outputTokens: number; cost: number } {
  const inputTokens = tokens(features.estimatedInputTokens)
  const outputTokens = tokens(features.estimatedOutputTokens)
  return { inputTokens, outputTokens, cost: costUsd(option.price, { inputTokens, outputTokens }) }
}

function tokens(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.min(Math.ceil(n), 100_000_000) : 0
}

function modelEngine(option: ModelOption): Engine {
  return {
    kind: 'model',
    name: option.ref,
    provider: option.provider,
    model: option.model,
    tier: option.tier,
  }
}

function exclude(out: Screening, route: Route, engine: string, reasons: ReasonCode[]): void {
  out.excluded.push({ route, engine, reasons })
}
