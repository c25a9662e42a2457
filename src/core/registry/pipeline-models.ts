/**
 * Which models a pipeline's model step may use for an intent: the models of
 * the tiers the intent allows (a model counts as local only when its tier
 * lists local models and its provider runs on the host, as the router reads
 * it) that match the step's selector. Shared by the registry rules and the
 * router, so a pipeline the rules accept is one the router can serve.
 */
import type { PipelineModelSelector, PipelineStep, ProviderName } from './registry-types.js'
import { localProviders } from './registry-types.js'

/** One model a model step could use, with the tier it was found in. */
export interface StepModel {
  readonly ref: string
  readonly tier: string
  /** Position of the tier in the intent's `tiers_allowed`. */
  readonly tierIndex: number
  /** Runs on the host (a local tier and an ollama/vllm provider). */
  readonly local: boolean
}

/** The part of the registries the lookup reads (loosely typed: rules read unchecked data too). */
export interface TierSource {
  readonly tiers: Readonly<Record<string, unknown>>
  readonly models: Readonly<Record<string, unknown>>
}

/** True when the model `ref` of `tier` (local or not) matches `selector`. */
export function selectorMatches(
  selector: PipelineModelSelector,
  ref: string,
  tier: string,
  local: boolean,
): boolean {
  if (typeof selector === 'string') return selector === 'any' || selector === ref
  if (selector.tier !== undefined && selector.tier !== tier) return false
  if (selector.placement !== undefined && (selector.placement === 'local') !== local) return false
  return true
}

/**
 * Every model of `tiersAllowed` (each once, at its first allowed tier, in tier
 * then list order) that matches `selector`.
 */
export function stepModels(
  selector: PipelineModelSelector,
  tiersAllowed: readonly string[],
  source: TierSource,
): StepModel[] {
  const seen = new Set<string>()
  const found: StepModel[] = []
  tiersAllowed.forEach((tier, tierIndex) => {
    const entry = Object.hasOwn(source.tiers, tier) ? objectOf(source.tiers[tier]) : undefined
    if (!entry) return
    const kindLocal = entry.local !== undefined
    const refs = kindLocal ? entry.local : entry.cloud
    if (!Array.isArray(refs)) return
    for (const ref of refs) {
      if (typeof ref !== 'string' || seen.has(ref)) continue
      const model = Object.hasOwn(source.models, ref) ? objectOf(source.models[ref]) : undefined
      if (!model) continue
      const providerLocal = localProviders.includes(model.provider as ProviderName)
      // The router skips a local tier's model whose provider is not local; so does this.
      if (kindLocal && !providerLocal) continue
      seen.add(ref)
      const local = kindLocal && providerLocal
      if (selectorMatches(selector, ref, tier, local)) found.push({ ref, tier, tierIndex, local })
    }
  })
  return found
}

/** Index of the pipeline's model step, or -1 when it has none. */
export function modelStepIndex(steps: readonly PipelineStep[]): number {
  return steps.findIndex((step) => step.model !== undefined)
}

function objectOf(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}
