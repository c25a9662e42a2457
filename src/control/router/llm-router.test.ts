import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startUpstream, type Upstream } from '../../../test/upstream/openai-upstream.js'
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import { checkContract } from '../../core/contracts/contract-validator.js'
import {
  loadRegistrySet,
  parseRegistrySources,
  type RegistrySet,
} from '../../core/registry/index.js'
import { Secret } from '../../core/secret.js'
import { closeProviders, createProviders } from '../../providers/index.js'
import type { ProviderSet } from '../../providers/model-provider.js'
import { featuresFor, fixedEngineState } from './engine-state.fixture.js'
import { createRouter } from './llm-router.js'
import type { RoutingFeatures, RoutingInput } from './router-port.js'
import { decideRules } from './rules-router.js'

const configDir = fileURLToPath(new URL('../../../config/', import.meta.url))
let upstream: Upstream
let providers: ProviderSet
let plain: RegistrySet
let withRouter: RegistrySet

/** config/ with `routing.router_model` set (and the timeout given). */
function withRouterModel(set: RegistrySet, timeoutMs = 300): RegistrySet {
  const policies = set.sources['policies.yml'].replace(
    /llm_router_timeout_ms: \d+/,
    `llm_router_timeout_ms: ${timeoutMs}\n  router_model: 'openai:gpt-4.1-mini'`,
  )
  const parsed = parseRegistrySources({ ...set.sources, 'policies.yml': policies })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues))
  return parsed.set
}

beforeAll(async () => {
  upstream = await startUpstream()
  providers = createProviders({
    timeoutMs: 5000,
    openai: { baseUrl: upstream.url, apiKey: new Secret('sk-test') },
    azure: undefined,
    vllm: undefined,
    ollama: undefined,
    hf: undefined,
  })
  const loaded = await loadRegistrySet(configDir)
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues))
  plain = loaded.set
  withRouter = withRouterModel(plain)
})
afterAll(async () => {
  await closeProviders(providers)
  await upstream.close()
})
beforeEach(() => upstream.reset())

function input(
  registries: RegistrySet,
  intent = 'summarize',
  features: Partial<RoutingFeatures> = {},
): RoutingInput {
  return {
    features: featuresFor(intent, features),
    registries,
    registryVersion: 4,
    engines: fixedEngineState(),
  }
}

function valid(decision: RoutingDecision): RoutingDecision {
  expect(checkContract('routing-decision', decision)).toEqual([])
  return decision
}

/** An answer as the model would give it: a routing decision naming the given engines. */
function answer(picks: readonly RoutingDecision['fallbacks'][number][], note?: string): string {
  const [first, ...rest] = picks
  return JSON.stringify({
    ...first,
    reason_codes: ['LLM_RANKED'],
    estimates: { input_tokens: 1000, output_tokens: 256, cost_usd: 0.01, latency_ms: 900 },
    fallbacks: rest,
    decided_by: 'llm',
    registry_version: 4,
    ...(note === undefined ? {} : { decider_note: note }),
  })
}

describe('LLM router against the test upstream', () => {
  it('lets a valid answer rank the allowed candidates (decided_by llm)', async () => {
    const rules = decideRules(input(withRouter))
    const openaiMini = rules.fallbacks.find((f) => f.engine.name === 'openai:gpt-4.1-mini')
    const module = { route: rules.route, engine: rules.engine, tier: rules.tier }
    if (!openaiMini) throw new Error('rules must allow openai:gpt-4.1-mini for summarize')
    upstream.script({ content: answer([openaiMini, module], 'short text; api is fine') })

    const d = valid(await createRouter({ providers }).decide(input(withRouter)))

    expect(d).toMatchObject({
      route: 'api',
      engine: { kind: 'model', name: 'openai:gpt-4.1-mini', provider: 'openai' },
      decided_by: 'llm',
      decider_note: 'llm: short text; api is fine',
      registry_version: 4,
    })
    // Estimates are the rules' own, not the model's.
    expect(d.estimates.cost_usd).toBeCloseTo(0.0008096, 9)
    expect(d.reason_codes.slice(0, 2)).toEqual(['LLM_RANKED', 'TIER_ALLOWED'])
    expect(d.reason_codes).not.toContain('MODULE_DECLARES_INTENT')
    // The model's order first, then every other candidate the rules allowed.
    expect(d.fallbacks[0]?.engine.name).toBe('summarize_text')
    const allowed = [rules.engine, ...rules.fallbacks.map((f) => f.engine)].map((e) => e.name)
    expect([d.engine, ...d.fallbacks.map((f) => f.engine)].map((e) => e.name).sort()).toEqual(
      [...allowed].sort(),
    )

    const sent = upstream.requests[0]?.body as {
      model: string
      temperature: number
      response_format: { type: string; json_schema: { name: string; schema: { $id: string } } }
      messages: { role: string; content: string }[]
    }
    expect(sent.model).toBe('gpt-4.1-mini')
    expect(sent.temperature).toBe(0)
    expect(sent.response_format.type).toBe('json_schema')
    expect(sent.response_format.json_schema.name).toBe('routing_decision')
    expect(sent.response_format.json_schema.schema.$id).toMatch(/routing-decision\.schema\.json$/)
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'user'])
    const question = JSON.parse(sent.messages[1]?.content ?? '') as {
      features: Record<string, unknown>
      candidates: { engine: { name: string } }[]
    }
    expect(question.features).toMatchObject({ intent: 'summarize', requested_route: 'auto' })
    expect(question.candidates.map((c) => c.engine.name)).toEqual(allowed)
  })

  it('falls back to the rules when the model is slower than the timeout', async () => {
    upstream.script({ delayMs: 2000, content: '{}' })
    const started = performance.now()
    const d = valid(await createRouter({ providers }).decide(input(withRouter)))
    const elapsedMs = performance.now() - started
    expect(d.decided_by).toBe('rules')
    expect(d.decider_note).toBe('llm router timed out after 300 ms; rules decided')
    expect(d.reason_codes[0]).toBe('LLM_ROUTER_TIMEOUT')
    expect(d.engine.name).toBe('summarize_text')
    expect(elapsedMs).toBeGreaterThanOrEqual(290)
    expect(elapsedMs).toBeLessThan(1500)
    // The call was aborted, not left running.
    await expect(upstream.requests[0]?.finished).resolves.toBe('client-closed')
  })

  it('falls back to the rules on an answer that is not JSON or breaks the contract', async () => {
    const router = createRouter({ providers })
    upstream.script({ content: 'I would pick the local module.' })
    const notJson = valid(await router.decide(input(withRouter)))
    expect(notJson).toMatchObject({
      decided_by: 'rules',
      engine: { name: 'summarize_text' },
      decider_note: 'llm router answer invalid (not JSON); rules decided',
    })
    expect(notJson.reason_codes[0]).toBe('LLM_ROUTER_INVALID')

    upstream.script({ content: '{}' })
    const empty = valid(await router.decide(input(withRouter)))
    expect(empty.decided_by).toBe('rules')
    expect(empty.decider_note).toMatch(
      /^llm router answer invalid \(contract: .+\); rules decided$/,
    )
  })

  it('refuses an answer that picks an engine the rules excluded (privacy, tier, fallbacks)', async () => {
    const router = createRouter({ providers })
    const bareApi = {
      route: 'api' as const,
      engine: {
        kind: 'model' as const,
        name: 'openai:gpt-4.1-mini',
        provider: 'openai',
        model: 'gpt-4.1-mini',
        tier: 'tier1',
      },
      tier: 'tier1',
    }
    // extract has hybrid privacy: a bare cloud model is never allowed.
    upstream.script({ content: answer([bareApi]) })
    const d = valid(await router.decide(input(withRouter, 'extract')))
    expect(d).toMatchObject({ decided_by: 'rules', engine: { kind: 'pipeline' } })
    expect(d.decider_note).toBe(
      'llm router answer invalid (api openai:gpt-4.1-mini is not a candidate the rules allow); rules decided',
    )

    // summarize allows tier0/tier1 only: a tier2 model hidden in the fallbacks is refused too.
    const rules = decideRules(input(withRouter))
    const tier2 = {
      ...bareApi,
      engine: { ...bareApi.engine, name: 'openai:gpt-4.1', tier: 'tier2' },
    }
    const module = { route: rules.route, engine: rules.engine, tier: rules.tier }
    upstream.script({ content: answer([module, { ...tier2, tier: 'tier2' }]) })
    const hidden = valid(await router.decide(input(withRouter)))
    expect(hidden.decided_by).toBe('rules')
    expect(hidden.reason_codes[0]).toBe('LLM_ROUTER_INVALID')
  })

  it('falls back to the rules when the provider fails', async () => {
    upstream.script({ status: 500 })
    const d = valid(await createRouter({ providers }).decide(input(withRouter)))
    expect(d.decided_by).toBe('rules')
    expect(d.reason_codes[0]).toBe('LLM_ROUTER_ERROR')
    expect(d.decider_note).toMatch(/^llm router failed \(AION_PROVIDER_[A-Z_]+\); rules decided$/)
  })

  it('asks nobody without a router model, or when its provider is not configured', async () => {
    const router = createRouter({ providers })
    const d = valid(await router.decide(input(plain)))
    expect(d.decided_by).toBe('rules')
    expect(d.decider_note).toBeUndefined()

    const unconfigured = createRouter({ providers: new Map() })
    const u = valid(await unconfigured.decide(input(withRouter)))
    expect(u.decider_note).toBe(
      'llm router model openai:gpt-4.1-mini is not configured; rules decided',
    )
    // redact_pii has one allowed engine (its module, no model tier): nothing to rank.
    const one = valid(await router.decide(input(withRouter, 'redact_pii')))
    expect(one.decider_note).toBe('one candidate; llm router not asked')
    expect(upstream.requests).toHaveLength(0)
  })

  it('follows a policy reload: the same router asks the model only while policies name one', async () => {
    const router = createRouter({ providers })
    const slowTimeout = withRouterModel(plain, 50)
    upstream.script({ delayMs: 500 })
    const first = valid(await router.decide(input(slowTimeout)))
    expect(first.decider_note).toBe('llm router timed out after 50 ms; rules decided')
    const second = valid(await router.decide(input(plain)))
    expect(second.decider_note).toBeUndefined()
    expect(upstream.requests).toHaveLength(1)
  })

  it('still refuses what the rules refuse', async () => {
    const refused = input(withRouter, 'answer', { requestedRoute: 'hybrid' })
    await expect(createRouter({ providers }).decide(refused)).rejects.toMatchObject({
      code: 'AION_ROUTER_ROUTE_NOT_ALLOWED',
    })
    expect(upstream.requests).toHaveLength(0)
  })
})

describe('a router model with its own server', () => {
  it('is asked at its models.yml endpoint under its upstream name', async () => {
    const own = await startUpstream()
    try {
      const models = withRouter.sources['models.yml'].replace(
        "  'openai:gpt-4.1-mini':\n    provider: openai\n",
        `  'openai:gpt-4.1-mini':\n    provider: openai\n    endpoint: ${own.url}\n    upstream_model: router-small\n`,
      )
      const parsed = parseRegistrySources({ ...withRouter.sources, 'models.yml': models })
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues))
      const rules = decideRules(input(parsed.set))
      const picks = [rules, ...rules.fallbacks].map((f) => ({
        route: f.route,
        engine: f.engine,
        tier: f.tier,
      }))
      own.script({ content: answer(picks) })
      const d = valid(await createRouter({ providers }).decide(input(parsed.set)))
      expect(d.decided_by).toBe('llm')
      expect(own.requests.map((r) => (r.body as { model: string }).model)).toEqual(['router-small'])
      expect(upstream.requests).toEqual([])
    } finally {
      await own.close()
    }
  })
})
