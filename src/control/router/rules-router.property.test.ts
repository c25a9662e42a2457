/**
 * Property tests of the rules router over random registries (declared
 * pipelines included), requests and engine states: privacy and the hard
 * budget cap hold on the choice and on every fallback (a cloud model under
 * hybrid privacy only as a pipeline step right after a redact step, never
 * under local-only), denied/unconfigured/open-circuit providers are never
 * chosen, every decision matches the routing-decision contract, and every
 * refusal is one the inputs explain. Local is a place: a model's endpoint
 * (its own, else its provider's base URL) is a dimension, and a local-tier
 * model off the premises counts as a cloud one for privacy. 100k cases in
 * CI, 5k locally.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type {
  Engine,
  PrivacyMode,
  Route,
  RoutingDecision,
} from '../../../contracts/generated/index.js'
import { checkContract } from '../../core/contracts/contract-validator.js'
import {
  AionError,
  RouterNoRouteError,
  RouterRouteNotAllowedError,
  RouterUnknownIntentError,
} from '../../core/errors/index.js'
import {
  localProviders,
  selectorMatches,
  type PipelineEntry,
  type ProviderName,
  type RegistrySet,
} from '../../core/registry/index.js'
import { costUsd } from '../../providers/cost.js'
import { parsePipelineEngineName } from './pipeline-engine.js'
import {
  engineState,
  hybridCaseArb,
  isOnPremises,
  routingCaseArb,
  type EngineStateSpec,
  type RoutingCase,
} from './routing-arbitraries.fixture.js'
import type { RoutingFeatures } from './router-port.js'
import { decideRules } from './rules-router.js'

const numRuns = process.env.CI ? 100_000 : 5_000
const rank: Record<PrivacyMode, number> = { 'allow-api': 0, hybrid: 1, 'local-only': 2 }

/** The strictest of the request's, the intent's and the policies' privacy. */
function effectivePrivacy(set: RegistrySet, features: RoutingFeatures): PrivacyMode {
  if (set.policies.privacy.local_only_intents.includes(features.intent)) return 'local-only'
  const intentMode = set.intents[features.intent]?.privacy ?? 'local-only'
  return rank[intentMode] > rank[features.privacy] ? intentMode : features.privacy
}

function servesIntent(state: EngineStateSpec, module: string, intent: string): boolean {
  return state.modules.get(module)?.intents.includes(intent) ?? false
}

/** Installed, and listed for the intent in modules.yml. */
function moduleServes(set: RegistrySet, state: EngineStateSpec, module: string, intent: string) {
  const listed = set.modules.modules.some((m) => m.name === module && m.intents.includes(intent))
  return listed && servesIntent(state, module, intent)
}

/** A failed promise of the router: fast-check shrinks and reports the case. */
function must(condition: boolean, message: string): void {
  if (!condition) throw new Error(message)
}

/** Every rule the rules router promises, checked on one engine of a decision. */
function checkEngine(
  set: RegistrySet,
  features: RoutingFeatures,
  state: EngineStateSpec,
  route: Route,
  engine: Engine,
  tier: string,
): void {
  const intent = set.intents[features.intent]
  must(intent?.candidates.includes(route) ?? false, `route ${route} is not a candidate`)
  const requested = features.requestedRoute
  must(requested === 'auto' || route === requested, `route ${route} is not the requested one`)
  const privacy = effectivePrivacy(set, features)
  if (engine.kind === 'module') {
    must(route === 'local', 'a module off the local route')
    must(moduleServes(set, state, engine.name, features.intent), `${engine.name} does not serve it`)
    must(state.modules.get(engine.name)?.version === engine.version, 'wrong module version')
    must(!state.unplaceable.includes(engine.name), `${engine.name} has no free GPU`)
    return
  }
  let ref = engine.name
  let pipeline: PipelineEntry | undefined
  if (engine.kind === 'pipeline') {
    const parsed = parsePipelineEngineName(engine.name)
    pipeline = set.modules.pipelines.find((p) => p.name === parsed.pipeline)
    must(pipeline?.intents.includes(features.intent) ?? false, `${engine.name} is not declared`)
    checkPipelineSteps(pipeline?.steps ?? [], state)
    must(engine.version === pipeline?.version, 'wrong pipeline version')
    const modelAt = pipeline?.steps.findIndex((step) => step.model !== undefined) ?? -1
    if (parsed.modelRef === undefined) {
      must(route === 'local' && modelAt < 0, 'a module pipeline off the local route')
      must(engine.provider === undefined && tier === 'tier0', 'a module pipeline with a model')
      return
    }
    must(route === 'hybrid' && modelAt >= 0, 'a model pipeline off the hybrid route')
    ref = parsed.modelRef
    const stepSpec = set.models.models[ref]
    const cloud = !localProviders.includes(stepSpec?.provider ?? 'openai')
    const selector = pipeline?.steps[modelAt]?.model ?? 'none'
    must(selectorMatches(selector, ref, tier, !cloud), `${ref} does not match the model step`)
    const redacted = modelAt > 0 && pipeline?.steps[modelAt - 1]?.redact !== undefined
    const away = cloud || !isOnPremises(state, stepSpec?.provider ?? '', stepSpec?.endpoint)
    must(
      !(privacy === 'hybrid' && away && !redacted),
      'hybrid payload sent unredacted off-premises',
    )
  }
  const spec = set.models.models[ref]
  if (!spec) throw new Error(`engine ${engine.name} names no model`)
  const provider = spec.provider
  must(engine.provider === provider, 'engine provider differs from models.yml')
  const cloud = !localProviders.includes(provider)
  // Where the payload goes, not the provider's kind, is what privacy judges.
  const away = cloud || !isOnPremises(state, provider, spec.endpoint)
  must(
    !(privacy === 'local-only' && away),
    `local-only payload sent off-premises to ${engine.name}`,
  )
  must(
    !(privacy === 'hybrid' && away && engine.kind !== 'pipeline'),
    'hybrid on a bare model off the premises',
  )
  if (engine.kind === 'model') {
    must(route === (cloud ? 'api' : 'local'), `model ${engine.name} on route ${route}`)
  }
  const { allow, deny } = set.policies.providers
  must(!deny.includes(provider) && allow.includes(provider), `provider ${provider} not allowed`)
  must(state.configured.includes(provider), `provider ${provider} not configured`)
  must(!state.openCircuits.includes(provider), `provider ${provider} circuit open`)
  must(intent?.tiers_allowed.includes(tier) ?? false, `tier ${tier} not allowed`)
  const listed = set.models.tiers[tier]
  const inTier = [...(listed?.local ?? []), ...(listed?.cloud ?? [])].includes(ref)
  must(inTier && engine.tier === tier, `${ref} is not a model of ${tier}`)
  const cost = costUsd(spec, {
    inputTokens: features.estimatedInputTokens,
    outputTokens: features.estimatedOutputTokens,
  })
  const cap = Math.min(features.budgetUsd, set.policies.budget.hard_cap_usd)
  must(cost <= cap, `${engine.name} costs ${cost} > ${cap}`)
}

function checkDecision(
  set: RegistrySet,
  features: RoutingFeatures,
  state: EngineStateSpec,
  d: RoutingDecision,
): void {
  const violations = checkContract('routing-decision', d)
  must(violations.length === 0, `contract: ${JSON.stringify(violations)}`)
  must(d.decided_by === 'rules', 'not decided by the rules')
  checkEngine(set, features, state, d.route, d.engine, d.tier)
  for (const f of d.fallbacks) checkEngine(set, features, state, f.route, f.engine, f.tier)
  const names = [d.engine.name, ...d.fallbacks.map((f) => f.engine.name)]
  must(new Set(names).size === names.length, 'an engine twice in the decision')
  const cap = Math.min(features.budgetUsd, set.policies.budget.hard_cap_usd)
  must(d.estimates.cost_usd <= cap, 'estimated cost above the cap')
}

/** Every module step is installed; a redact step's module serves redact_pii. */
function checkPipelineSteps(steps: PipelineEntry['steps'], state: EngineStateSpec): void {
  for (const step of steps) {
    const name = step.module ?? step.redact
    if (name !== undefined) must(!state.unplaceable.includes(name), `${name} has no free GPU`)
    if (step.module !== undefined) must(state.modules.has(step.module), `${step.module} missing`)
    if (step.redact !== undefined) {
      must(servesIntent(state, step.redact, 'redact_pii'), `${step.redact} does not redact`)
    }
  }
}

/** A refusal must be one the inputs explain. */
function checkRefusal(
  set: RegistrySet,
  features: RoutingFeatures,
  state: EngineStateSpec,
  error: unknown,
): void {
  if (!(error instanceof AionError)) throw error
  const intent = set.intents[features.intent]
  if (!intent) return must(error instanceof RouterUnknownIntentError, error.code)
  const requested = features.requestedRoute
  if (requested !== 'auto' && !intent.candidates.includes(requested)) {
    return must(error instanceof RouterRouteNotAllowedError, error.code)
  }
  must(error instanceof RouterNoRouteError, error.code)
  // A local module serving the intent (with its GPU free) is always eligible on a requested local route.
  const hasModule = [...state.modules.keys()].some(
    (m) => moduleServes(set, state, m, features.intent) && !state.unplaceable.includes(m),
  )
  must(!(requested === 'local' && hasModule), 'no route although a module serves the intent')
}

interface Tally {
  decided: number
  throughPipelines: number
  hybridToCloud: number
  /** An allow-api decision used a local-tier model served off the premises. */
  offPremisesLocalModel: number
  /** A local-only or hybrid request whose intent had a local-tier model off the premises. */
  offPremisesWithheld: number
}

/** Whether the intent's tiers name a local-tier model of a local provider served off the premises. */
function hasOffPremisesLocalModel(set: RegistrySet, intent: string, state: EngineStateSpec) {
  return (set.intents[intent]?.tiers_allowed ?? []).some((tier) =>
    (set.models.tiers[tier]?.local ?? []).some((ref) => {
      const spec = set.models.models[ref]
      return spec !== undefined && !isOnPremises(state, spec.provider, spec.endpoint)
    }),
  )
}

/** Decides every case, checks it, and counts what the decisions reached. */
function assertRules(cases: fc.Arbitrary<RoutingCase>): Tally {
  const tally: Tally = {
    decided: 0,
    throughPipelines: 0,
    hybridToCloud: 0,
    offPremisesLocalModel: 0,
    offPremisesWithheld: 0,
  }
  fc.assert(
    fc.property(cases, ({ set, features, state }) => {
      const privacy = effectivePrivacy(set, features)
      if (privacy !== 'allow-api' && hasOffPremisesLocalModel(set, features.intent, state))
        tally.offPremisesWithheld++
      let decision: RoutingDecision
      try {
        decision = decideRules({
          features,
          registries: set,
          registryVersion: 1,
          engines: engineState(state),
        })
      } catch (error) {
        checkRefusal(set, features, state, error)
        return
      }
      tally.decided++
      checkDecision(set, features, state, decision)
      const engines = [decision.engine, ...decision.fallbacks.map((f) => f.engine)]
      if (engines.some((e) => e.kind === 'pipeline')) tally.throughPipelines++
      const cloudStep = (e: Engine) =>
        e.kind === 'pipeline' &&
        e.provider !== undefined &&
        !localProviders.includes(e.provider as ProviderName)
      if (privacy === 'hybrid' && engines.some(cloudStep)) tally.hybridToCloud++
      const offPremisesLocal = (e: Engine) => {
        const spec = e.kind === 'model' ? set.models.models[e.name] : undefined
        return (
          spec !== undefined &&
          localProviders.includes(spec.provider) &&
          !isOnPremises(state, spec.provider, spec.endpoint)
        )
      }
      if (engines.some(offPremisesLocal)) tally.offPremisesLocalModel++
    }),
    { numRuns },
  )
  return tally
}

describe('rules router properties', () => {
  it(
    `never violates privacy, the budget cap or provider state (${numRuns} cases)`,
    () => {
      const tally = assertRules(routingCaseArb)
      // The generators must reach decisions often enough for the property to mean something.
      expect(tally.decided).toBeGreaterThan(numRuns / 10)
      expect(tally.throughPipelines).toBeGreaterThan(numRuns / 50)
      // Endpoints are a dimension that is reached: off-premises local models get used and withheld.
      expect(tally.offPremisesLocalModel).toBeGreaterThan(numRuns / 1000)
      expect(tally.offPremisesWithheld).toBeGreaterThan(numRuns / 50)
    },
    numRuns * 2 + 30_000,
  )

  it(
    `sends a hybrid-privacy payload to a cloud model only right after a redact step (${numRuns} cases)`,
    () => {
      const tally = assertRules(hybridCaseArb)
      expect(tally.decided).toBeGreaterThan(numRuns / 10)
      expect(tally.hybridToCloud).toBeGreaterThan(numRuns / 50)
    },
    numRuns * 2 + 30_000,
  )
})
