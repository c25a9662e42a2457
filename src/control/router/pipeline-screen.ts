/**
 * Screening the pipelines declared for an intent. A pipeline of module steps
 * is one `local` candidate; a pipeline with a model step is one `hybrid`
 * candidate per model its step may use, each screened by the model rules
 * (privacy: a cloud model under `hybrid` privacy only right after a redact
 * step; never under `local-only`). Every module step must be installed, and
 * a redact step's module must serve `redact_pii`.
 */
import type { Engine } from '../../../contracts/generated/index.js'
import { boundedLatencyMs, latencyPriors, modelLatencyPriorMs } from './latency-estimate.js'
import { modelCost, modelReasons } from './model-screen.js'
import { pipelineEngineName } from './pipeline-engine.js'
import { ReasonCode } from './reason-codes.js'
import { fitsEngineName, redactionIntent, type PipelinePlan } from './routing-plan.js'
import { exclude, moduleTier, type RouteScreen, type ScreenContext } from './screen-types.js'

/** Orders pipelines after the intent's own modules on the local route. */
const pipelineOrderBase = 100_000

/** Screens the pipelines that serve on `route` (`local`: module steps only; `hybrid`: with a model step). */
export function screenPipelines(
  route: 'local' | 'hybrid',
  ctx: ScreenContext,
  out: RouteScreen,
): void {
  for (const pipeline of ctx.plan.pipelines) {
    if (pipeline.modelAt >= 0 !== (route === 'hybrid')) continue
    if (route === 'local') screenModulePipeline(pipeline, ctx, out)
    else screenModelPipeline(pipeline, ctx, out)
  }
}

/** Why the pipeline's module steps cannot run here (none when they can). */
function stepReasons(pipeline: PipelinePlan, ctx: ScreenContext): ReasonCode[] {
  const reasons = new Set<ReasonCode>()
  const installed = ctx.engines.modules()
  for (const step of pipeline.steps) {
    const name = step.module ?? step.redact
    if (name === undefined) continue
    const module = installed.get(name)
    if (!module) {
      reasons.add(
        step.redact === undefined
          ? ReasonCode.PIPELINE_MODULE_UNAVAILABLE
          : ReasonCode.REDACTOR_UNAVAILABLE,
      )
    } else if (step.redact !== undefined && !module.intents.includes(redactionIntent)) {
      reasons.add(ReasonCode.REDACTOR_UNAVAILABLE)
    } else if (!ctx.engines.isModulePlaceable(name)) {
      reasons.add(ReasonCode.GPU_UNAVAILABLE)
    }
  }
  return [...reasons]
}

/** Expected latency of the module steps: observed per module, else the prior. */
function modulesLatencyMs(pipeline: PipelinePlan, ctx: ScreenContext): number {
  let ms = 0
  for (const step of pipeline.steps) {
    const name = step.module ?? step.redact
    if (name !== undefined) ms += ctx.engines.observedLatencyMs(name) ?? latencyPriors.moduleMs
  }
  return ms
}

function pipelineEngine(pipeline: PipelinePlan, name: string): Engine {
  return {
    kind: 'pipeline',
    name,
    ...(pipeline.version === undefined ? {} : { version: pipeline.version }),
  }
}

function screenModulePipeline(pipeline: PipelinePlan, ctx: ScreenContext, out: RouteScreen) {
  const name = pipelineEngineName(pipeline.name)
  const reasons = stepReasons(pipeline, ctx)
  if (!fitsEngineName(name)) reasons.push(ReasonCode.ENGINE_NAME_UNSUPPORTED)
  if (reasons.length > 0) return exclude(out, 'local', name, reasons)
  const latencyMs = boundedLatencyMs(
    ctx.engines.observedLatencyMs(name) ?? modulesLatencyMs(pipeline, ctx),
  )
  out.eligible.push({
    route: 'local',
    engine: { ...pipelineEngine(pipeline, name), tier: moduleTier },
    tier: moduleTier,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    latencyMs,
    fitsLatency: latencyMs <= ctx.targetMs('local'),
    kindRank: 0,
    tierIndex: -1,
    order: pipelineOrderBase + pipeline.order,
    redactsFirst: false,
  })
}

function screenModelPipeline(pipeline: PipelinePlan, ctx: ScreenContext, out: RouteScreen) {
  if (pipeline.modelOptions.length === 0) {
    return exclude(out, 'hybrid', pipeline.name, [ReasonCode.PIPELINE_NO_MODEL])
  }
  const steps = stepReasons(pipeline, ctx)
  const modulesMs = modulesLatencyMs(pipeline, ctx)
  pipeline.modelOptions.forEach((option, i) => {
    const name = pipelineEngineName(pipeline.name, option.ref)
    const { inputTokens, outputTokens, cost } = modelCost(option, ctx.features)
    const reasons = [...steps, ...modelReasons(option, cost, ctx, pipeline.redactsBeforeModel)]
    if (!fitsEngineName(name)) reasons.push(ReasonCode.ENGINE_NAME_UNSUPPORTED)
    if (reasons.length > 0) return exclude(out, 'hybrid', name, reasons)
    const estimated =
      modulesMs +
      (ctx.engines.observedLatencyMs(option.ref) ?? modelLatencyPriorMs(option.local, outputTokens))
    const latencyMs = boundedLatencyMs(ctx.engines.observedLatencyMs(name) ?? estimated)
    out.eligible.push({
      route: 'hybrid',
      engine: {
        ...pipelineEngine(pipeline, name),
        provider: option.provider,
        model: option.model,
        tier: option.tier,
      },
      tier: option.tier,
      inputTokens,
      outputTokens,
      costUsd: cost,
      latencyMs,
      fitsLatency: latencyMs <= ctx.targetMs('hybrid'),
      kindRank: 1,
      tierIndex: option.tierIndex,
      order: pipeline.order * pipelineOrderBase + i,
      redactsFirst: pipeline.redactsBeforeModel,
    })
  })
}
