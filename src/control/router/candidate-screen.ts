/**
 * The per-request half of the rules: for one route, every candidate engine
 * either passes every rule (privacy, provider policy and configuration,
 * circuit, context window, budget, installed modules) or is excluded with all
 * its reasons. `local`: modules that declare the intent, pipelines of module
 * steps, local models; `api`: cloud models; `hybrid`: pipelines with a model
 * step. Eligible engines come back in preference order: those expected to
 * meet the latency target first, then modules (and module pipelines) before
 * models, earlier allowed tiers, lower estimated cost, registry order.
 */
import type { Engine, Route } from '../../../contracts/generated/index.js'
import { boundedLatencyMs, latencyPriors } from './latency-estimate.js'
import { screenModel } from './model-screen.js'
import { screenPipelines } from './pipeline-screen.js'
import { ReasonCode } from './reason-codes.js'
import { fitsEngineName, semverPattern } from './routing-plan.js'
import {
  exclude,
  moduleTier,
  type Candidate,
  type RouteScreen,
  type ScreenContext,
} from './screen-types.js'

export { moduleTier, type Candidate, type RouteScreen, type ScreenContext } from './screen-types.js'

/** Screens every candidate of `route` for the request. */
export function screenRoute(route: Route, ctx: ScreenContext): RouteScreen {
  const out: RouteScreen = { eligible: [], excluded: [] }
  if (route === 'local') {
    screenModules(ctx, out)
    screenPipelines('local', ctx, out)
    ctx.plan.localModels.forEach((option, i) => screenModel(route, option, i, ctx, out))
  } else if (route === 'api') {
    ctx.plan.cloudModels.forEach((option, i) => screenModel(route, option, i, ctx, out))
  } else {
    screenPipelines('hybrid', ctx, out)
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

/** Installed modules whose manifest declares the intent and whose modules.yml entry lists it. */
function screenModules(ctx: ScreenContext, out: RouteScreen): void {
  let order = 0
  for (const [name, module] of ctx.engines.modules()) {
    if (!module.intents.includes(ctx.plan.name) || !ctx.plan.listedModules.has(name)) continue
    const engine: Engine = { kind: 'module', name, version: module.version, tier: moduleTier }
    if (!fitsEngineName(name) || !semverPattern.test(module.version)) {
      exclude(out, 'local', name, [ReasonCode.ENGINE_NAME_UNSUPPORTED])
      continue
    }
    if (!ctx.engines.isModulePlaceable(name)) {
      exclude(out, 'local', name, [ReasonCode.GPU_UNAVAILABLE])
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
