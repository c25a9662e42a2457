/**
 * Rules of modules.yml `pipelines` against the other files: names are unique
 * (and no module's), intents and step modules exist, a redact step names a
 * redaction module, a model step can use a model of every intent it serves,
 * at most one model step, the route the pipeline serves on is one its intents
 * list, and — the privacy rule — a model step that may be a cloud model, in a
 * pipeline serving a `hybrid`-privacy intent, comes right after a redact step.
 */
import { pointer } from './registry-issue.js'
import { modelStepIndex, stepModels, type TierSource } from './pipeline-models.js'
import type { PipelineModelSelector, PipelineStep } from './registry-types.js'
import {
  asArray,
  asRecord,
  dangling,
  hasKey,
  inconsistent,
  type ParsedData,
  type RuleFinding,
} from './rule-finding.js'

/** The intent a redaction module declares. */
export const redactionIntent = 'redact_pii'

interface Context {
  readonly intents: Record<string, unknown> | undefined
  /** Modules of modules.yml by name, with the intents each declares. */
  readonly modules: ReadonlyMap<string, readonly unknown[]>
  readonly tiers: TierSource | undefined
  readonly found: RuleFinding[]
}

/** Rule findings for every pipeline. */
export function pipelineRules(data: ParsedData): RuleFinding[] {
  const registry = asRecord(data['modules.yml'])
  const modules = new Map<string, readonly unknown[]>()
  for (const entry of asArray(registry?.modules)) {
    const module = asRecord(entry)
    if (typeof module?.name === 'string') modules.set(module.name, asArray(module.intents))
  }
  const models = asRecord(data['models.yml'])
  const tiers = asRecord(models?.tiers)
  const specs = asRecord(models?.models)
  const ctx: Context = {
    intents: asRecord(data['intents.yml']),
    modules,
    tiers: tiers && specs ? { tiers, models: specs } : undefined,
    found: [],
  }
  const seen = new Set<string>()
  asArray(registry?.pipelines).forEach((value, i) => {
    const pipeline = asRecord(value)
    if (!pipeline) return
    if (typeof pipeline.name === 'string') {
      const path = pointer('pipelines', i, 'name')
      if (seen.has(pipeline.name)) {
        ctx.found.push(
          inconsistent(
            'modules.yml',
            path,
            `pipeline "${pipeline.name}" is declared more than once`,
          ),
        )
      } else if (modules.has(pipeline.name)) {
        const message = `pipeline "${pipeline.name}" has the name of a module; engine names must tell them apart`
        ctx.found.push(inconsistent('modules.yml', path, message))
      }
      seen.add(pipeline.name)
    }
    const steps = asArray(pipeline.steps).map(asRecord)
    steps.forEach((step, j) => stepRefs(ctx, i, j, step))
    servedIntents(ctx, i, pipeline, steps)
  })
  return ctx.found
}

/** A step's module exists (a redact step's declares redact_pii); a model step's ref or tier exists. */
function stepRefs(ctx: Context, i: number, j: number, step: Record<string, unknown> | undefined) {
  for (const key of ['module', 'redact'] as const) {
    const name = step?.[key]
    if (typeof name !== 'string') continue
    const path = pointer('pipelines', i, 'steps', j, key)
    const intents = ctx.modules.get(name)
    if (!intents) {
      ctx.found.push(dangling('modules.yml', path, `module "${name}" is not in modules`))
    } else if (key === 'redact' && !intents.includes(redactionIntent)) {
      const message = `module "${name}" does not serve ${redactionIntent}, so it cannot be a redact step`
      ctx.found.push(inconsistent('modules.yml', path, message))
    }
  }
  const selector = step?.model
  const path = pointer('pipelines', i, 'steps', j, 'model')
  if (typeof selector === 'string' && selector !== 'any' && ctx.tiers) {
    if (!hasKey(ctx.tiers.models, selector)) {
      ctx.found.push(
        dangling('modules.yml', path, `model "${selector}" is not in models.yml models`),
      )
    }
  }
  const tier = asRecord(selector)?.tier
  if (typeof tier === 'string' && ctx.tiers && !hasKey(ctx.tiers.tiers, tier)) {
    const message = `tier "${tier}" is not defined in models.yml`
    ctx.found.push(
      dangling('modules.yml', pointer('pipelines', i, 'steps', j, 'model', 'tier'), message),
    )
  }
}

function isSelector(value: unknown): value is PipelineModelSelector {
  return typeof value === 'string' || asRecord(value) !== undefined
}

/** Rules between the pipeline and each intent it serves. */
function servedIntents(
  ctx: Context,
  i: number,
  pipeline: Record<string, unknown>,
  steps: readonly (Record<string, unknown> | undefined)[],
) {
  const modelSteps = steps.flatMap((step, j) => (step && isSelector(step.model) ? [j] : []))
  for (const extra of modelSteps.slice(1)) {
    const message = 'a pipeline has at most one model step'
    ctx.found.push(inconsistent('modules.yml', pointer('pipelines', i, 'steps', extra), message))
  }
  const modelAt = modelStepIndex(steps.map((s) => s ?? {}) as PipelineStep[])
  const selector = modelAt >= 0 ? steps[modelAt]?.model : undefined
  const route = modelAt >= 0 ? 'hybrid' : 'local'
  asArray(pipeline.intents).forEach((name, k) => {
    if (typeof name !== 'string' || !ctx.intents) return
    const path = pointer('pipelines', i, 'intents', k)
    const intent = hasKey(ctx.intents, name) ? asRecord(ctx.intents[name]) : undefined
    if (!intent) {
      ctx.found.push(dangling('modules.yml', path, `intent "${name}" is not in intents.yml`))
      return
    }
    const candidates = asArray(intent.candidates)
    if (Array.isArray(intent.candidates) && !candidates.includes(route)) {
      const what =
        route === 'hybrid'
          ? 'has a model step, so it serves'
          : 'has only module steps, so it serves'
      const message = `pipeline ${what} on the ${route} route, which intent "${name}" does not list`
      ctx.found.push(inconsistent('modules.yml', path, message))
    }
    if (!isSelector(selector) || !ctx.tiers) return
    const tiersAllowed = asArray(intent.tiers_allowed).filter((t) => typeof t === 'string')
    const usable = stepModels(selector, tiersAllowed, ctx.tiers)
    const stepPath = pointer('pipelines', i, 'steps', modelAt, 'model')
    if (usable.length === 0) {
      const message = `no model of the tiers intent "${name}" allows matches this model step`
      ctx.found.push(inconsistent('modules.yml', stepPath, message))
    }
    const redacted = modelAt > 0 && typeof steps[modelAt - 1]?.redact === 'string'
    if (intent.privacy === 'hybrid' && usable.some((m) => !m.local) && !redacted) {
      const message = `intent "${name}" has privacy hybrid: a step that may call a cloud model must come right after a redact step`
      ctx.found.push(inconsistent('modules.yml', stepPath, message))
    }
  })
}
