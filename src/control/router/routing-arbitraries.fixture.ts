/**
 * fast-check arbitraries for the router's property tests: random registry
 * sets (intents, models and tiers, policies, modules and pipelines), engine
 * states and request features. Pipelines are random on purpose: they need not
 * pass the registry rules (a missing redact step, a cloud step for a
 * local-only intent), so the router's own privacy rules are what is tested. The sets are built in memory, shaped as the registry
 * schemas allow, without the loader (so 100k cases stay fast).
 */
import fc from 'fast-check'
import type { PrivacyMode, RequestedRoute, Route } from '../../../contracts/generated/index.js'
import type {
  IntentSpec,
  ModelSpec,
  ModelTier,
  PipelineEntry,
  PipelineModelSelector,
  PipelineStep,
  PoliciesRegistry,
  ProviderName,
  RegistrySet,
} from '../../core/registry/index.js'
import type { EngineState, RoutingFeatures } from './router-port.js'

export const providers: readonly ProviderName[] = ['ollama', 'vllm', 'openai', 'azure', 'hf']
const localProviderNames: readonly ProviderName[] = ['ollama', 'vllm']
const cloudProviderNames: readonly ProviderName[] = ['openai', 'azure', 'hf']
const routes: readonly Route[] = ['local', 'api', 'hybrid']
export const privacyModes: readonly PrivacyMode[] = ['local-only', 'hybrid', 'allow-api']
const intentNames = ['summarize', 'answer', 'extract', 'invoice_ocr', 'redact_pii'] as const
const tierNames = ['tier0', 'tier1', 'tier2', 'tier3'] as const
const moduleNames = ['summarize_text', 'redact_pii', 'pii_scrub', 'invoice_ocr', 'helper'] as const
const pipelineNames = ['p_one', 'p_two', 'p_three'] as const

/** A subset that is usually the whole list, so decisions are reached often. */
function mostlyAll<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  const all: fc.Arbitrary<T[]> = fc.constant([...items])
  return fc.oneof({ weight: 2, arbitrary: all }, fc.subarray([...items]))
}

/** US dollars in [0, maxUsd] at micro-dollar steps (no denormal doubles that round to 0). */
function usd(maxUsd: number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: Math.round(maxUsd * 1e6) }).map((micro) => micro / 1e6)
}

const price = fc.oneof(fc.constant(0), usd(0.05), { weight: 2, arbitrary: usd(0.002) })

interface GeneratedModel {
  readonly provider: ProviderName
  readonly name: string
  readonly input: number
  readonly output: number
  readonly context: number | undefined
  readonly endpoint: string | undefined
}

/** Model endpoints (models.yml `endpoint`) and provider base URLs the cases draw from. */
export const endpointUrls = [
  'http://127.0.0.1:8000/v1',
  'http://127.0.0.2:8001/v1',
  'http://10.0.0.7:8000/v1',
  'http://[::1]:11434',
  'https://vllm.example.com/v1',
] as const

/** The hosts of {@link endpointUrls}: the engine state places each on the premises or not. */
const endpointHosts = [...new Set(endpointUrls.map((url) => new URL(url).hostname))]

const modelArb: fc.Arbitrary<GeneratedModel> = fc.record({
  provider: fc.constantFrom(...providers),
  name: fc.constantFrom('m1', 'm2', 'gpt-4.1-mini', 'qwen2.5', 'big'),
  input: price,
  output: price,
  context: fc.option(fc.integer({ min: 1000, max: 200_000 }), { nil: undefined }),
  endpoint: fc.option(fc.constantFrom(...endpointUrls), { nil: undefined }),
})

const modelsArb = fc.uniqueArray(modelArb, {
  minLength: 2,
  maxLength: 8,
  selector: (m) => `${m.provider}:${m.name}`,
})

/** models.yml: each tier takes local or cloud models from the generated ones. */
function modelsRegistry(
  models: readonly GeneratedModel[],
  tierKinds: readonly ('local' | 'cloud')[],
  picks: readonly number[],
): RegistrySet['models'] {
  const specs: Record<string, ModelSpec> = {}
  for (const m of models) {
    specs[`${m.provider}:${m.name}`] = {
      provider: m.provider,
      price_per_1k_input_usd: m.input,
      price_per_1k_output_usd: m.output,
      ...(m.context === undefined ? {} : { context_tokens: m.context }),
      ...(m.endpoint === undefined ? {} : { endpoint: m.endpoint }),
    }
  }
  const tiers: Record<string, ModelTier> = {}
  tierKinds.forEach((kind, i) => {
    const allowed = kind === 'local' ? localProviderNames : cloudProviderNames
    const refs = models
      .filter((m, j) => allowed.includes(m.provider) && ((picks[i] ?? 0) >> j) % 2 === 1)
      .map((m) => `${m.provider}:${m.name}`)
    if (refs.length > 0)
      tiers[tierNames[i] ?? 'tier0'] = kind === 'local' ? { local: refs } : { cloud: refs }
  })
  return { tiers, models: specs }
}

const intentArb = fc
  .record({
    privacy: fc.constantFrom<PrivacyMode>('local-only', 'hybrid', 'allow-api', 'allow-api'),
    candidates: fc.subarray([...routes], { minLength: 1 }),
    tiers: mostlyAll(tierNames),
    defaultIndex: fc.integer({ min: -1, max: 2 }),
  })
  .map(({ privacy, candidates, tiers, defaultIndex }): IntentSpec => {
    const route = candidates[defaultIndex]
    return {
      default_route: route ?? 'auto',
      candidates,
      privacy,
      tiers_allowed: tiers,
      vector_usage: false,
    }
  })

const intentsArb = fc.dictionary(fc.constantFrom(...intentNames), intentArb, {
  minKeys: 1,
  maxKeys: 5,
})

const latencyMsArb = fc.integer({ min: 1, max: 5000 })

const policiesArb = fc
  .record({
    hardCap: fc.oneof(usd(0.05), usd(2)).map((cap) => Math.max(cap, 0.0001)),
    defaultShare: fc.integer({ min: 0, max: 100 }).map((pct) => pct / 100),
    allow: mostlyAll(providers),
    deny: fc.oneof(
      { weight: 3, arbitrary: fc.constant([]) },
      fc.subarray([...providers], { maxLength: 2 }),
    ),
    fallbackOrder: fc.shuffledSubarray([...routes], { minLength: 1 }),
    latency: fc.tuple(latencyMsArb, latencyMsArb, latencyMsArb),
    localOnly: fc.subarray([...intentNames], { maxLength: 2 }),
  })
  .map((p): PoliciesRegistry => ({
    budget: { default_usd: p.hardCap * p.defaultShare, hard_cap_usd: p.hardCap },
    latency: { p95_ms: { local: p.latency[0], api: p.latency[1], hybrid: p.latency[2] } },
    privacy: { local_only_intents: p.localOnly },
    providers: { allow: p.allow, deny: p.deny },
    routing: { fallback_order: p.fallbackOrder, llm_router_timeout_ms: 300 },
    rate_limits: { per_credential_per_min: 60, burst: 120, per_ip_per_min: 120 },
  }))

/** A model step's selector; `ref` picks one of the generated models. */
const selectorArb = (refs: readonly string[]): fc.Arbitrary<PipelineModelSelector> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant('any') },
    fc.constantFrom(...refs, 'openai:absent'),
    fc.record(
      {
        tier: fc.constantFrom(...tierNames),
        placement: fc.constantFrom<'local' | 'cloud'>('local', 'cloud'),
      },
      { requiredKeys: [] },
    ),
  )

/** Steps mostly on the modules the engine state usually has installed (see {@link engineStateArb}). */
const moduleStepArb: fc.Arbitrary<PipelineStep> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ module: 'helper' }) },
  { weight: 4, arbitrary: fc.constant({ redact: 'redact_pii' }) },
  fc.constantFrom(...moduleNames).map((module) => ({ module })),
  fc.constantFrom(...moduleNames).map((redact) => ({ redact })),
)

/** Pipelines with 1–4 steps, at most one of them a model step (often right after a redact step). */
const pipelinesArb = (refs: readonly string[]): fc.Arbitrary<PipelineEntry[]> =>
  fc
    .uniqueArray(
      fc.record({
        name: fc.constantFrom(...pipelineNames),
        intents: fc.subarray([...intentNames], { minLength: 2, maxLength: 4 }),
        before: fc.array(moduleStepArb, { maxLength: 2 }),
        redactFirst: fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, fc.constant(false)),
        model: fc.option(selectorArb(refs), { nil: undefined }),
        after: fc.array(moduleStepArb, { maxLength: 1 }),
        version: fc.option(fc.constantFrom('0.1.0', '1.0.0'), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 3, selector: (p) => p.name },
    )
    .map((pipelines) =>
      pipelines.flatMap(({ name, intents, before, redactFirst, model, after, version }) => {
        const redact: PipelineStep[] = redactFirst ? [{ redact: 'redact_pii' }] : []
        const steps: PipelineStep[] =
          model === undefined ? [...before, ...after] : [...before, ...redact, { model }, ...after]
        if (steps.length === 0) return []
        const entry: PipelineEntry = { name, intents, steps }
        return [version === undefined ? entry : { ...entry, version }]
      }),
    )

/** A random registry set (modules.yml lists no modules: {@link routingCaseArb} fills them in). */
export const registrySetArb: fc.Arbitrary<RegistrySet> = fc
  .record({
    intents: intentsArb,
    policies: policiesArb,
    models: modelsArb,
    tierKinds: fc.array(fc.constantFrom<'local' | 'cloud'>('local', 'cloud'), {
      minLength: 1,
      maxLength: 4,
    }),
    picks: fc.array(
      fc.oneof({ weight: 2, arbitrary: fc.constant(255) }, fc.integer({ min: 0, max: 255 })),
      { minLength: 4, maxLength: 4 },
    ),
  })
  .chain(({ intents, policies, models, tierKinds, picks }) =>
    pipelinesArb(models.map((m) => `${m.provider}:${m.name}`)).map((pipelines) => ({
      intents,
      policies,
      models: modelsRegistry(models, tierKinds, picks),
      modules: { modules: [], pipelines },
      contentHash: '0'.repeat(64),
      sources: { 'intents.yml': '', 'policies.yml': '', 'models.yml': '', 'modules.yml': '' },
    })),
  )

/** What the generated engine state holds, for the oracle to read. */
export interface EngineStateSpec {
  readonly configured: readonly string[]
  readonly openCircuits: readonly string[]
  readonly latencyMs: Readonly<Record<string, number>>
  readonly modules: ReadonlyMap<string, { version: string; intents: readonly string[] }>
  /** Modules that need a GPU none of which is free. */
  readonly unplaceable: readonly string[]
  /** Each provider's configured base URL. */
  readonly baseUrls: Readonly<Record<ProviderName, string>>
  /** Hosts inside the declared local networks (the static view of AION_LOCAL_NETWORKS). */
  readonly onPremisesHosts: readonly string[]
}

/** Whether a model of `provider` at `endpoint` is on the premises under `spec`. */
export function isOnPremises(
  spec: EngineStateSpec,
  provider: string,
  endpoint: string | undefined,
): boolean {
  const url = endpoint ?? spec.baseUrls[provider as ProviderName]
  if (url === undefined) return false
  return spec.onPremisesHosts.includes(new URL(url).hostname)
}

export const engineStateArb: fc.Arbitrary<EngineStateSpec> = fc.record({
  configured: mostlyAll(providers),
  openCircuits: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    fc.subarray([...providers], { maxLength: 3 }),
  ),
  latencyMs: fc.dictionary(
    fc.constantFrom(...moduleNames, 'p_one', 'openai:m1', 'ollama:m1', 'azure:big', 'hf:m2'),
    fc.integer({ min: 0, max: 10_000 }),
    { maxKeys: 4 },
  ),
  modules: fc
    .dictionary(
      fc.constantFrom(...moduleNames),
      fc.record({
        version: fc.constantFrom('1.3.0', '0.1.0', '2.0.0-rc.1'),
        intents: fc.subarray([...intentNames], { minLength: 1, maxLength: 2 }),
      }),
      { minKeys: 1, maxKeys: 3 },
    )
    .chain((d) =>
      // Usually a redactor and a helper are installed too, so pipelines can run.
      fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)).map((usual) =>
        usual
          ? {
              ...d,
              redact_pii: { version: '1.0.0', intents: ['redact_pii'] },
              helper: d.helper ?? { version: '0.1.0', intents: ['invoice_ocr'] },
            }
          : d,
      ),
    )
    .map((d) => new Map(Object.entries(d))),
  unplaceable: fc.oneof(
    { weight: 4, arbitrary: fc.constant([]) },
    fc.subarray([...moduleNames], { maxLength: 2 }),
  ),
  baseUrls: fc.record({
    ollama: fc.constantFrom(...endpointUrls),
    vllm: fc.constantFrom(...endpointUrls),
    openai: fc.constant('https://api.openai.com/v1'),
    azure: fc.constant('https://aion.openai.azure.com'),
    hf: fc.constant('https://api-inference.huggingface.co/v1'),
  }),
  // Usually most hosts are on the premises, so local models stay eligible often.
  onPremisesHosts: fc.oneof(
    { weight: 2, arbitrary: fc.constant(['127.0.0.1', '127.0.0.2', '[::1]']) },
    fc.subarray(endpointHosts),
  ),
})

export function engineState(spec: EngineStateSpec): EngineState {
  return {
    isCircuitOpen: (p) => spec.openCircuits.includes(p),
    observedLatencyMs: (e) => spec.latencyMs[e],
    isProviderConfigured: (p) => spec.configured.includes(p),
    isOnPremises: (provider, endpoint) => isOnPremises(spec, provider, endpoint),
    modules: () => spec.modules,
    isModulePlaceable: (name) => !spec.unplaceable.includes(name),
  }
}

/** Request features; `intentIndex` picks one of the set's intents (-1: an unknown one). */
const rawFeaturesArb = fc.record({
  intentIndex: fc.oneof({ weight: 30, arbitrary: fc.nat(4) }, fc.constant(-1)),
  requestedRoute: fc.constantFrom<RequestedRoute>('auto', 'auto', 'local', 'api', 'hybrid'),
  privacy: fc.constantFrom<PrivacyMode>('local-only', 'hybrid', 'allow-api', 'allow-api'),
  budgetUsd: fc.oneof(
    fc.constant(0),
    usd(0.01),
    { weight: 2, arbitrary: usd(0.2) },
    { weight: 2, arbitrary: usd(5) },
  ),
  maxLatencyMs: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
  inputTokens: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
    fc.integer({ min: 0, max: 300_000 }),
  ),
  outputTokens: fc.integer({ min: 0, max: 4096 }),
})

/** One routing case: a registry set, a request for it, and the engines' state. */
export interface RoutingCase {
  readonly set: RegistrySet
  readonly features: RoutingFeatures
  readonly state: EngineStateSpec
}

/** modules.yml entries: each installed module, mostly listed with the intents its manifest declares. */
function moduleEntries(
  state: EngineStateSpec,
  listed: readonly boolean[],
): RegistrySet['modules']['modules'] {
  return [...state.modules].flatMap(([name, module], i) =>
    listed[i % listed.length] === false
      ? []
      : [
          {
            name,
            ref: `ghcr.io/aion/${name}:${module.version}`,
            runtime: 'wasm' as const,
            signatures: ['cosign:test'],
            timeout_ms: 1000,
            limits: { cpu: '0.5', memory: '64Mi' },
            intents: module.intents,
          },
        ],
  )
}

export const routingCaseArb: fc.Arbitrary<RoutingCase> = fc
  .record({
    set: registrySetArb,
    raw: rawFeaturesArb,
    state: engineStateArb,
    listed: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)), {
      minLength: 5,
      maxLength: 5,
    }),
  })
  .map(({ set, raw, state, listed }) => {
    const names = Object.keys(set.intents)
    const intent =
      raw.intentIndex < 0 ? 'unknown_intent' : (names[raw.intentIndex % names.length] ?? '')
    const features: RoutingFeatures = {
      tenantId: 'default',
      intent,
      requestedRoute: raw.requestedRoute,
      privacy: raw.privacy,
      budgetUsd: raw.budgetUsd,
      ...(raw.maxLatencyMs === undefined ? {} : { maxLatencyMs: raw.maxLatencyMs }),
      inputBytes: raw.inputTokens * 4,
      estimatedInputTokens: raw.inputTokens,
      estimatedOutputTokens: raw.outputTokens,
      piiDetected: false,
    }
    const modules = { ...set.modules, modules: moduleEntries(state, listed) }
    return { set: { ...set, modules }, features, state }
  })

/**
 * Cases whose intent has privacy `hybrid` and may take the hybrid route, the
 * request asking for it or for `auto`: the router's redaction rule is what
 * decides them.
 */
export const hybridCaseArb: fc.Arbitrary<RoutingCase> = fc
  .record({
    base: routingCaseArb,
    route: fc.constantFrom<RequestedRoute>('auto', 'hybrid'),
    asked: fc.constantFrom<PrivacyMode>('hybrid', 'allow-api'),
  })
  .map(({ base, route, asked }) => {
    const { set, features } = base
    const intent = set.intents[features.intent]
    if (!intent) return base
    const candidates = intent.candidates.includes('hybrid')
      ? intent.candidates
      : [...intent.candidates, 'hybrid' as const]
    const policies = {
      ...set.policies,
      privacy: {
        local_only_intents: set.policies.privacy.local_only_intents.filter(
          (name) => name !== features.intent,
        ),
      },
    }
    return {
      ...base,
      set: {
        ...set,
        policies,
        intents: {
          ...set.intents,
          [features.intent]: { ...intent, privacy: 'hybrid', candidates },
        },
      },
      features: { ...features, requestedRoute: route, privacy: asked },
    }
  })
