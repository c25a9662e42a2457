/**
 * Running a pipeline engine: its declared steps in sequence, with the task's
 * abort signal and deadline. The task's input feeds the first step; a module
 * step's output is the data from then on; a redact step redacts every string
 * of the data in place; the model step gets the intent's prompt over the data
 * and its answer is the data from then on. The last step's output is the
 * task's output. Each step streams its output as a `partial` event carrying
 * the step's index (model tokens carry it too), and leaves a metric and a
 * usage row. A failing step's error names the pipeline and the step.
 *
 * Before any step runs, the privacy rule is checked again (the router already
 * holds it): a cloud model step runs for a `hybrid` task only right after a
 * redact step, and never for a `local-only` one.
 */
import {
  EngineUnavailableError,
  PipelinePrivacyRefusedError,
  PipelineStepFailedError,
  PipelineStepUnavailableError,
  isAionError,
} from '../../core/errors/index.js'
import { localProviders, modelStepIndex, type PipelineStep } from '../../core/registry/index.js'
import type { NewUsage } from '../../storage/index.js'
import type { JsonValue } from '../../core/domain/index.js'
import type { ExecutionMetric } from '../lifecycle/platform-topics.js'
import { failureMetric, successMetric } from './execution-metrics.js'
import { parsePipelineEngineName } from '../router/pipeline-engine.js'
import type { EngineOutcome, EngineTarget, ExecutionDeps } from './execution-deps.js'
import { runModel } from './model-execution.js'
import { callModule, moduleUsage } from './module-execution.js'
import { redactStrings } from './redaction.js'
import type { TaskContext } from './task-context.js'
import { taskPrivacy } from './task-privacy.js'

/** Where a pipeline leaves what its steps did, whether it ends well or not. */
export interface StepTrail {
  /** One metric per step run (successful or not). */
  readonly metrics: ExecutionMetric[]
  /** Usage rows of the steps that completed in an attempt that then failed (they were charged). */
  readonly charged: NewUsage[]
  /** The attempt of the pipeline engine these steps belong to. */
  readonly attempt: number
}

interface PipelineRun {
  readonly name: string
  readonly steps: readonly PipelineStep[]
  readonly modelAt: number
  readonly modelRef: string | undefined
}

interface StepResult {
  readonly output: JsonValue
  readonly usage: NewUsage
}

/** Runs the pipeline `target` names. */
export async function runPipeline(
  deps: ExecutionDeps,
  ctx: TaskContext,
  target: EngineTarget,
  signal: AbortSignal,
  trail: StepTrail,
): Promise<EngineOutcome> {
  const run = pipelineRun(ctx, target)
  checkPrivacy(ctx, run)
  const started = performance.now()
  let data = ctx.request.input as JsonValue
  const rows: NewUsage[] = []
  for (const [index, step] of run.steps.entries()) {
    const stepStarted = performance.now()
    let result: StepResult
    try {
      result = await runStep(deps, ctx, target, run, index, data, signal)
    } catch (error) {
      const durationMs = Math.round(performance.now() - stepStarted)
      const engine = stepEngine(step, run.modelRef)
      trail.metrics.push({
        ...failureMetric(engine, target.route, trail.attempt, durationMs, error, signal),
        step: { pipeline: run.name, index },
      })
      trail.charged.push(...rows)
      if (signal.aborted) throw error
      throw stepError(run, index, error, moduleRetries(deps, step))
    }
    rows.push(result.usage)
    const engine = stepEngine(step, run.modelRef)
    trail.metrics.push({
      ...successMetric(engine, target.route, trail.attempt, result.usage),
      step: { pipeline: run.name, index },
    })
    data = result.output
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
      // Not `streamedOutput`: a partial replaces the previous one, so a fallback may still follow.
      ctx.stream.partial(data, index)
    }
  }
  const durationMs = Math.round(performance.now() - started)
  deps.latency.record(target.engine.name, durationMs)
  const sum = (pick: (row: NewUsage) => number) => rows.reduce((n, row) => n + pick(row), 0)
  return {
    output: data,
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    costUsd: sum((r) => r.costUsd),
    durationMs,
    usage: rows,
  }
}

/** The declared pipeline behind the engine, under the task's registry set. */
function pipelineRun(ctx: TaskContext, target: EngineTarget): PipelineRun {
  const engine = target.engine.name
  const { pipeline: name, modelRef } = parsePipelineEngineName(engine)
  const declared = ctx.registries.set.modules.pipelines.find((p) => p.name === name)
  if (!declared?.intents.includes(ctx.request.intent)) {
    throw new EngineUnavailableError({ engine, reason: 'no such pipeline serves the intent' })
  }
  const modelAt = modelStepIndex(declared.steps)
  if (modelAt >= 0 !== (modelRef !== undefined)) {
    throw new EngineUnavailableError({
      engine,
      reason: "the name does not fit the pipeline's steps",
    })
  }
  return { name, steps: declared.steps, modelAt, modelRef }
}

function checkPrivacy(ctx: TaskContext, run: PipelineRun): void {
  if (run.modelRef === undefined) return
  const spec = ctx.registries.set.models.models[run.modelRef]
  if (spec && localProviders.includes(spec.provider)) return
  const privacy = taskPrivacy(ctx)
  const refuse = (reason: string) =>
    new PipelinePrivacyRefusedError({
      pipeline: run.name,
      step: run.modelAt,
      model: run.modelRef ?? '',
      privacy,
      reason,
    })
  if (privacy === 'local-only') throw refuse('under local-only privacy')
  if (privacy === 'hybrid' && run.steps[run.modelAt - 1]?.redact === undefined) {
    throw refuse('without a redact step right before it')
  }
}

async function runStep(
  deps: ExecutionDeps,
  ctx: TaskContext,
  target: EngineTarget,
  run: PipelineRun,
  index: number,
  data: JsonValue,
  signal: AbortSignal,
): Promise<StepResult> {
  const step = run.steps[index]!
  if (step.module !== undefined) {
    const { output, durationMs } = await callModule(deps, ctx, step.module, data, signal)
    return { output, usage: moduleUsage(ctx, step.module, durationMs) }
  }
  if (step.redact !== undefined) {
    const module = step.redact
    let durationMs = 0
    const output = await redactStrings(
      data,
      async (text) => {
        const call = await callModule(deps, ctx, module, { text }, signal)
        durationMs += call.durationMs
        return redactedText(call.output, module)
      },
      module,
    )
    return { output, usage: moduleUsage(ctx, module, durationMs) }
  }
  const input =
    data !== null && typeof data === 'object' && !Array.isArray(data) ? data : { value: data }
  const modelTarget: EngineTarget = {
    route: target.route,
    tier: target.tier,
    engine: {
      kind: 'model',
      name: run.modelRef ?? '',
      ...(target.engine.provider === undefined ? {} : { provider: target.engine.provider }),
      ...(target.engine.model === undefined ? {} : { model: target.engine.model }),
      tier: target.engine.tier ?? target.tier,
    },
  }
  const redacted = index > 0 && run.steps[index - 1]?.redact !== undefined
  const outcome = await runModel(deps, ctx, modelTarget, signal, { input, step: index, redacted })
  return { output: outcome.output, usage: outcome.usage[0]! }
}

/** The `text` a redaction module answered; anything else would let unredacted data through. */
function redactedText(output: JsonValue, module: string): string {
  const text =
    output !== null && typeof output === 'object' && !Array.isArray(output)
      ? output.text
      : undefined
  if (typeof text === 'string') return text
  throw new EngineUnavailableError({
    engine: module,
    reason: 'a redact step needs `{text}` from its module',
  })
}

/** What a step runs, as metrics name engines. */
function stepEngine(step: PipelineStep, modelRef: string | undefined) {
  if (step.module !== undefined) return { name: step.module, kind: 'module' }
  if (step.redact !== undefined) return { name: step.redact, kind: 'module' }
  return { name: modelRef ?? 'unknown', kind: 'model' }
}

/** How a step is named in errors: its kind and what it runs. */
export function stepName(step: PipelineStep, modelRef: string | undefined): string {
  if (step.module !== undefined) return `module ${step.module}`
  if (step.redact !== undefined) return `redact ${step.redact}`
  return `model ${modelRef ?? 'unknown'}`
}

/** The manifest's `policies.retries` of a module or redact step (undefined for a model step). */
function moduleRetries(deps: ExecutionDeps, step: PipelineStep): number | undefined {
  const name = step.module ?? step.redact
  return name === undefined ? undefined : (deps.modules.modules().get(name)?.retries ?? 0)
}

/**
 * The step's failure as the pipeline's: retryable (the pipeline may be tried
 * again) only when the step's error is, and a module step's manifest allows
 * retries — a module with `retries: 0` is never run again, inside a pipeline
 * either.
 */
function stepError(run: PipelineRun, index: number, error: unknown, retries: number | undefined) {
  const aion = isAionError(error)
  const fields = {
    pipeline: run.name,
    step: index,
    stepName: stepName(run.steps[index]!, run.modelRef),
    causeCode: aion ? error.code : 'AION_INTERNAL_UNEXPECTED',
    detail: aion ? error.message : 'internal error',
  }
  return aion && error.retryable && retries !== 0
    ? new PipelineStepUnavailableError(fields, { cause: error })
    : new PipelineStepFailedError(fields, { cause: error })
}
