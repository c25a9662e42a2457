/**
 * The rules over one model call, alone on the local or api route or as a
 * pipeline's model step: privacy, provider policy and configuration, circuit,
 * context window and budget, with the call's token and cost estimate.
 */
import type { Engine, Route } from '../../../contracts/generated/index.js'
import { costUsd } from '../../providers/cost.js'
import { boundedLatencyMs, modelLatencyPriorMs } from './latency-estimate.js'
import { ReasonCode } from './reason-codes.js'
import type { RoutingFeatures } from './router-port.js'
import type { ModelOption } from './routing-plan.js'
import { exclude, type RouteScreen, type ScreenContext } from './screen-types.js'

/** Screens one model on the local or api route. */
export function screenModel(
  route: Route,
  option: ModelOption,
  order: number,
  ctx: ScreenContext,
  out: RouteScreen,
): void {
  const { inputTokens, outputTokens, cost } = modelCost(option, ctx.features)
  const reasons = modelReasons(option, cost, ctx, false)
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

/**
 * Every rule a model call breaks. `redacted`: a redact step ran over the data
 * the call receives (only a pipeline's model step can say so).
 */
export function modelReasons(
  option: ModelOption,
  cost: number,
  ctx: ScreenContext,
  redacted: boolean,
): ReasonCode[] {
  const reasons: ReasonCode[] = [...option.staticReasons]
  // Local is a place: a local model served off the premises is, for privacy, a cloud one.
  const onPremises = option.local && ctx.engines.isOnPremises(option.provider, option.endpoint)
  if (!onPremises) {
    // The payload leaves the premises: local-only never; hybrid only after redaction.
    const before = reasons.length
    if (ctx.privacy === 'local-only') reasons.push(ReasonCode.PRIVACY_LOCAL_ONLY)
    else if (ctx.privacy === 'hybrid' && !redacted) reasons.push(ReasonCode.PRIVACY_HYBRID)
    if (option.local && reasons.length > before) reasons.push(ReasonCode.ENDPOINT_NOT_LOCAL)
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
export function modelCost(
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

/** The engine of a model. */
export function modelEngine(option: ModelOption): Engine {
  return {
    kind: 'model',
    name: option.ref,
    provider: option.provider,
    model: option.model,
    tier: option.tier,
  }
}
