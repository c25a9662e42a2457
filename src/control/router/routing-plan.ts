/**
 * What the rules can work out once per registry set: for each intent, the
 * models each route may use (tiers allowed, local or cloud, provider allow and
 * deny), in preference order, the modules modules.yml lists for it, the
 * pipelines declared for it with the models their model step may use, and
 * the order of routes for `auto`. Plans are
 * cached in a WeakMap keyed by the frozen set, so a reload builds new plans
 * and the old ones go with the old set.
 */
import type { Route } from '../../../contracts/generated/index.js'
import type {
  IntentSpec,
  PipelineStep,
  PoliciesRegistry,
  ProviderName,
  RegistrySet,
} from '../../core/registry/index.js'
import { localProviders, modelStepIndex, selectorMatches } from '../../core/registry/index.js'
import type { ModelPrice } from '../../providers/cost.js'
import { ReasonCode } from './reason-codes.js'

/** Name of the intent a redaction module declares; a pipeline's `redact` step needs such a module. */
export { redactionIntent } from '../../core/registry/index.js'

/** The contract's engine name, model name and version shapes. */
export const engineNamePattern = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/
export const engineNameMaxLength = 128
export const semverPattern =
  /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/

/** One model an intent may use, with what the rules need to screen it. */
export interface ModelOption {
  /** models.yml ref, `provider:model`. */
  readonly ref: string
  readonly provider: ProviderName
  /** The ref's part after the first colon. */
  readonly model: string
  readonly tier: string
  /** Position of the tier in the intent's `tiers_allowed` (earlier is preferred). */
  readonly tierIndex: number
  /**
   * Of a local tier and a local provider kind (ollama, vllm); whether it is
   * on the premises is its endpoint's to say ({@link ModelOption.endpoint}).
   */
  readonly local: boolean
  /** models.yml `endpoint`; undefined: the provider's base URL. */
  readonly endpoint: string | undefined
  readonly price: ModelPrice
  readonly contextTokens: number | undefined
  /** Reasons that hold whatever the request (provider policy, unusable name). */
  readonly staticReasons: readonly ReasonCode[]
}

/** A pipeline declared for an intent, as the rules screen it. */
export interface PipelinePlan {
  readonly name: string
  readonly version: string | undefined
  /** Position among the intent's pipelines (registry order). */
  readonly order: number
  readonly steps: readonly PipelineStep[]
  /** Index of the model step; -1 for a pipeline of module steps only (it serves on `local`). */
  readonly modelAt: number
  /** The models its model step may use for the intent, preferred first. */
  readonly modelOptions: readonly ModelOption[]
  /** True when the step right before the model step is a `redact` step. */
  readonly redactsBeforeModel: boolean
}

/** The precomputed routing facts of one intent under one registry set. */
export interface IntentPlan {
  readonly name: string
  readonly spec: IntentSpec
  /** True when policies list the intent as local-only (tightens the intent's own mode). */
  readonly policyLocalOnly: boolean
  /** Local models (tier kind `local`, provider on the host), preferred first. */
  readonly localModels: readonly ModelOption[]
  /** Cloud models (tier kind `cloud`), preferred first: the api route's models. */
  readonly cloudModels: readonly ModelOption[]
  /** Modules whose modules.yml entry lists the intent (the runtime's manifest must list it too). */
  readonly listedModules: ReadonlySet<string>
  /** Pipelines of modules.yml that serve the intent, in registry order. */
  readonly pipelines: readonly PipelinePlan[]
  /** Candidate routes for `auto` when the intent's default is `auto`. */
  readonly autoRoutes: readonly Route[]
  /** Candidate routes for `auto` with the intent's default first. */
  readonly defaultRoutes: readonly Route[]
}

type PlanCache = Map<string, IntentPlan | null>
const plans = new WeakMap<RegistrySet, PlanCache>()

/** The plan of `intent` under `registries`, or undefined when the intent is unknown. */
export function intentPlan(registries: RegistrySet, intent: string): IntentPlan | undefined {
  let cache = plans.get(registries)
  if (!cache) {
    cache = new Map()
    plans.set(registries, cache)
  }
  let plan = cache.get(intent)
  if (plan === undefined) {
    const spec = Object.hasOwn(registries.intents, intent) ? registries.intents[intent] : undefined
    plan = spec ? buildPlan(registries, intent, spec) : null
    cache.set(intent, plan)
  }
  return plan ?? undefined
}

function buildPlan(registries: RegistrySet, name: string, spec: IntentSpec): IntentPlan {
  const { policies } = registries
  const options = modelOptions(registries, spec)
  const fallbackRoutes = policies.routing.fallback_order.filter((r) => spec.candidates.includes(r))
  const autoRoutes = fallbackRoutes.length > 0 ? fallbackRoutes : [...spec.candidates]
  const defaultRoute = spec.default_route
  const defaultRoutes =
    defaultRoute === 'auto'
      ? autoRoutes
      : [defaultRoute, ...fallbackRoutes.filter((r) => r !== defaultRoute)]
  return {
    name,
    spec,
    policyLocalOnly: policies.privacy.local_only_intents.includes(name),
    localModels: options.filter((o) => o.local),
    cloudModels: options.filter((o) => !o.local),
    listedModules: new Set(
      registries.modules.modules.filter((m) => m.intents.includes(name)).map((m) => m.name),
    ),
    pipelines: registries.modules.pipelines
      .filter((p) => p.intents.includes(name))
      .map((p, order) => pipelinePlan(p, order, options)),
    autoRoutes,
    defaultRoutes,
  }
}

function pipelinePlan(
  pipeline: RegistrySet['modules']['pipelines'][number],
  order: number,
  options: readonly ModelOption[],
): PipelinePlan {
  const modelAt = modelStepIndex(pipeline.steps)
  const selector = pipeline.steps[modelAt]?.model
  return {
    name: pipeline.name,
    version: pipeline.version,
    order,
    steps: pipeline.steps,
    modelAt,
    modelOptions:
      selector === undefined
        ? []
        : options.filter((o) => selectorMatches(selector, o.ref, o.tier, o.local)),
    redactsBeforeModel: modelAt > 0 && pipeline.steps[modelAt - 1]?.redact !== undefined,
  }
}

/** Every model of an allowed tier, once (its first allowed tier), in tier then list order. */
function modelOptions(registries: RegistrySet, spec: IntentSpec): ModelOption[] {
  const { tiers, models } = registries.models
  const seen = new Set<string>()
  const options: ModelOption[] = []
  spec.tiers_allowed.forEach((tier, tierIndex) => {
    const entry = Object.hasOwn(tiers, tier) ? tiers[tier] : undefined
    if (!entry) return
    const kindLocal = entry.local !== undefined
    for (const ref of entry.local ?? entry.cloud ?? []) {
      const model = Object.hasOwn(models, ref) ? models[ref] : undefined
      if (!model || seen.has(ref)) continue
      const providerLocal = localProviders.includes(model.provider)
      // A tier's kind and its provider must agree for the model to count as local.
      if (kindLocal && !providerLocal) continue
      seen.add(ref)
      options.push({
        ref,
        provider: model.provider,
        model: ref.slice(ref.indexOf(':') + 1),
        tier,
        tierIndex,
        local: kindLocal && providerLocal,
        endpoint: model.endpoint,
        price: model,
        contextTokens: model.context_tokens,
        staticReasons: staticReasons(registries.policies, ref, model.provider),
      })
    }
  })
  return options
}

function staticReasons(
  policies: PoliciesRegistry,
  ref: string,
  provider: ProviderName,
): ReasonCode[] {
  const reasons: ReasonCode[] = []
  if (policies.providers.deny.includes(provider)) reasons.push(ReasonCode.PROVIDER_DENIED)
  else if (!policies.providers.allow.includes(provider))
    reasons.push(ReasonCode.PROVIDER_NOT_ALLOWED)
  const model = ref.slice(ref.indexOf(':') + 1)
  if (!fitsEngineName(ref) || !fitsEngineName(model))
    reasons.push(ReasonCode.ENGINE_NAME_UNSUPPORTED)
  return reasons
}

/** Whether a name fits the contract's engine name (and model name) shape. */
export function fitsEngineName(name: string): boolean {
  return name.length <= engineNameMaxLength && engineNamePattern.test(name)
}
