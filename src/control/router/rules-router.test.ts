import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import { checkContract } from '../../core/contracts/contract-validator.js'
import {
  AionError,
  RouterNoRouteError,
  RouterRouteNotAllowedError,
  RouterUnknownIntentError,
} from '../../core/errors/index.js'
import { loadRegistrySet, type RegistrySet } from '../../core/registry/index.js'
import {
  configModules,
  featuresFor,
  fixedEngineState,
  type FixedEngineStateOptions,
} from './engine-state.fixture.js'
import type { RoutingFeatures } from './router-port.js'
import { decideRules, RulesRouter } from './rules-router.js'

const configDir = fileURLToPath(new URL('../../../config/', import.meta.url))
let registries: RegistrySet

beforeAll(async () => {
  const loaded = await loadRegistrySet(configDir)
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues))
  registries = loaded.set
})

function decide(
  intent: string,
  features: Partial<RoutingFeatures> = {},
  state: FixedEngineStateOptions = {},
): RoutingDecision {
  const decision = decideRules({
    features: featuresFor(intent, features),
    registries,
    registryVersion: 7,
    engines: fixedEngineState(state),
  })
  expect(checkContract('routing-decision', decision)).toEqual([])
  return decision
}

function failure(fn: () => unknown): AionError {
  try {
    fn()
  } catch (error) {
    if (error instanceof AionError) return error
    throw error
  }
  throw new Error('expected the router to refuse')
}

const everyEngine = (d: RoutingDecision) => [d.engine, ...d.fallbacks.map((f) => f.engine)]

describe('rules router on config/', () => {
  it('routes summarize (auto) to the local summarize_text module, then local models, then api', () => {
    const d = decide('summarize')
    expect(d).toMatchObject({
      route: 'local',
      engine: { kind: 'module', name: 'summarize_text', version: '1.3.0', tier: 'tier0' },
      tier: 'tier0',
      decided_by: 'rules',
      registry_version: 7,
      estimates: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
    })
    expect(d.reason_codes.slice(0, 2)).toEqual(['ROUTE_FALLBACK_ORDER', 'MODULE_DECLARES_INTENT'])
    expect(d.fallbacks.map((f) => `${f.route}:${f.engine.name}`)).toEqual([
      'local:ollama:qwen2.5',
      'local:vllm:llama3.1',
      'api:azure:gpt-4o-mini',
      'api:openai:gpt-4.1-mini',
      'api:hf:mistral-large',
      'hybrid:summarize_redacted+ollama:qwen2.5',
      'hybrid:summarize_redacted+vllm:llama3.1',
      'hybrid:summarize_redacted+azure:gpt-4o-mini',
      'hybrid:summarize_redacted+openai:gpt-4.1-mini',
      'hybrid:summarize_redacted+hf:mistral-large',
    ])
  })

  it('routes summarize to a tier0 model when the module is not available', () => {
    const d = decide('summarize', {}, { modules: {} })
    expect(d.engine).toEqual({
      kind: 'model',
      name: 'ollama:qwen2.5',
      provider: 'ollama',
      model: 'qwen2.5',
      tier: 'tier0',
    })
    expect(d.estimates).toMatchObject({ input_tokens: 1000, output_tokens: 256, cost_usd: 0 })
  })

  it('never lets invoice_ocr leave the host, whatever is requested', () => {
    const d = decide('invoice_ocr', { privacy: 'allow-api', budgetUsd: 0.2 })
    expect(d).toMatchObject({
      route: 'local',
      engine: { kind: 'pipeline', name: 'invoice_ocr', version: '0.1.0', tier: 'tier0' },
      estimates: { cost_usd: 0 },
    })
    expect(d.reason_codes.slice(0, 3)).toEqual([
      'PRIVACY_LOCAL_ONLY',
      'ROUTE_DEFAULT',
      'PIPELINE_DECLARES_INTENT',
    ])
    for (const engine of everyEngine(d))
      expect(['ollama', 'vllm', undefined]).toContain(engine.provider)
    const error = failure(() => decide('invoice_ocr', { requestedRoute: 'hybrid' }))
    expect(error).toBeInstanceOf(RouterRouteNotAllowedError)
  })

  it('serves invoice_ocr by its module pipeline only while every step is installed', () => {
    const { ocr_tesseract: _ocr, ...withoutOcr } = configModules
    const d = decide('invoice_ocr', {}, { modules: withoutOcr })
    expect(d.engine.kind).toBe('model')
    expect(d.reason_codes).toContain('PIPELINE_MODULE_UNAVAILABLE')
    const none = failure(() => decide('invoice_ocr', {}, { modules: withoutOcr, configured: [] }))
    expect(none).toBeInstanceOf(RouterNoRouteError)
    expect(none.fields.excluded).toEqual(
      expect.arrayContaining([
        { route: 'local', engine: 'invoice_ocr', reasons: ['PIPELINE_MODULE_UNAVAILABLE'] },
      ]),
    )
  })

  it('passes over a module, or a pipeline step, that needs a GPU none of which is free', () => {
    const busy = decide('summarize', {}, { unplaceable: ['summarize_text'] })
    expect(busy.engine).toMatchObject({ kind: 'model', name: 'ollama:qwen2.5' })
    const ocr = failure(() =>
      decide('invoice_ocr', {}, { unplaceable: ['ocr_tesseract'], configured: [] }),
    )
    expect(ocr).toBeInstanceOf(RouterNoRouteError)
    expect(ocr.fields.excluded).toEqual(
      expect.arrayContaining([
        { route: 'local', engine: 'invoice_ocr', reasons: ['GPU_UNAVAILABLE'] },
      ]),
    )
    const module = failure(() =>
      decide(
        'summarize',
        { requestedRoute: 'local' },
        { unplaceable: ['summarize_text'], configured: [] },
      ),
    )
    expect(module.fields.excluded).toEqual(
      expect.arrayContaining([
        { route: 'local', engine: 'summarize_text', reasons: ['GPU_UNAVAILABLE'] },
      ]),
    )
  })

  it('does not serve an intent by a module that modules.yml does not list for it', () => {
    // The runtime's manifest may claim any intent; modules.yml decides what serves which.
    const claimed = {
      ...configModules,
      ocr_tesseract: { version: '0.1.0', intents: ['invoice_ocr'] },
    }
    const d = decide('invoice_ocr', {}, { modules: claimed })
    expect(d.engine).toMatchObject({ kind: 'pipeline', name: 'invoice_ocr' })
    expect(everyEngine(d).map((e) => e.name)).not.toContain('ocr_tesseract')
  })

  it('keeps a request-tightened local-only summarize off every cloud engine', () => {
    const d = decide('summarize', { privacy: 'local-only' }, { modules: {} })
    expect(d.reason_codes[0]).toBe('PRIVACY_LOCAL_ONLY')
    expect(everyEngine(d).map((e) => e.name)).toEqual(['ollama:qwen2.5', 'vllm:llama3.1'])
  })

  it('answers with api on a tier1 cloud model when openai is configured', () => {
    const d = decide('answer', { requestedRoute: 'api' }, { configured: ['openai', 'ollama'] })
    expect(d).toMatchObject({
      route: 'api',
      tier: 'tier1',
      engine: { kind: 'model', name: 'openai:gpt-4.1-mini', provider: 'openai', tier: 'tier1' },
    })
    expect(d.estimates.cost_usd).toBeCloseTo(0.0008096, 9)
    expect(d.fallbacks.map((f) => f.engine.name)).toEqual(['openai:gpt-4.1'])
    expect(d.reason_codes).toEqual(
      expect.arrayContaining(['ROUTE_REQUESTED', 'PROVIDER_NOT_CONFIGURED']),
    )
  })

  it('takes a cheaper model, or a local one, when the budget is too small', () => {
    const cheap = decide('answer', { requestedRoute: 'api', budgetUsd: 0.001 })
    expect(cheap.engine.name).toBe('azure:gpt-4o-mini')
    expect(everyEngine(cheap).map((e) => e.name)).toEqual([
      'azure:gpt-4o-mini',
      'openai:gpt-4.1-mini',
    ])
    expect(cheap.reason_codes).toContain('BUDGET_EXCEEDED')

    const local = decide('answer', { budgetUsd: 0.0005 }, { configured: ['openai', 'ollama'] })
    expect(local).toMatchObject({ route: 'local', engine: { name: 'ollama:qwen2.5' } })
    expect(local.fallbacks).toEqual([])

    const none = failure(() =>
      decide('answer', { requestedRoute: 'api', budgetUsd: 0.0001 }, { configured: ['openai'] }),
    )
    expect(none).toBeInstanceOf(RouterNoRouteError)
    expect(none.fields.excluded).toEqual([
      { route: 'api', engine: 'openai:gpt-4.1-mini', reasons: ['BUDGET_EXCEEDED'] },
      {
        route: 'api',
        engine: 'azure:gpt-4o-mini',
        reasons: ['PROVIDER_NOT_CONFIGURED', 'BUDGET_EXCEEDED'],
      },
      {
        route: 'api',
        engine: 'hf:mistral-large',
        reasons: ['PROVIDER_NOT_CONFIGURED', 'BUDGET_EXCEEDED'],
      },
      { route: 'api', engine: 'openai:gpt-4.1', reasons: ['BUDGET_EXCEEDED'] },
      {
        route: 'api',
        engine: 'azure:gpt-4o',
        reasons: ['PROVIDER_NOT_CONFIGURED', 'BUDGET_EXCEEDED'],
      },
      {
        route: 'api',
        engine: 'hf:mixtral-8x22b',
        reasons: ['PROVIDER_NOT_CONFIGURED', 'BUDGET_EXCEEDED'],
      },
    ])
  })

  it('clamps a budget above the hard cap and keeps every engine under the cap', () => {
    const d = decide('answer', {
      requestedRoute: 'api',
      budgetUsd: 5,
      estimatedInputTokens: 100_000,
    })
    expect(d.reason_codes).toEqual(
      expect.arrayContaining(['BUDGET_CLAMPED', 'BUDGET_EXCEEDED', 'CONTEXT_TOO_SMALL']),
    )
    const names = everyEngine(d).map((e) => e.name)
    expect(names).toEqual(['azure:gpt-4o-mini', 'openai:gpt-4.1-mini'])
  })

  it('skips a provider whose circuit is open, on the choice and the fallbacks', () => {
    const d = decide(
      'answer',
      { requestedRoute: 'api' },
      { configured: ['openai', 'hf'], openCircuits: ['openai'] },
    )
    expect(d.engine.name).toBe('hf:mistral-large')
    expect(d.reason_codes).toContain('CIRCUIT_OPEN')
    expect(everyEngine(d).every((e) => e.provider !== 'openai')).toBe(true)
  })

  it('sends extract (hybrid privacy) to its redaction pipeline, never to the bare api', () => {
    const d = decide('extract', {}, { configured: ['openai', 'azure'] })
    expect(d).toMatchObject({
      route: 'hybrid',
      tier: 'tier1',
      engine: {
        kind: 'pipeline',
        name: 'extract_redacted+azure:gpt-4o-mini',
        version: '0.1.0',
        provider: 'azure',
        model: 'gpt-4o-mini',
        tier: 'tier1',
      },
    })
    expect(d.reason_codes.slice(0, 3)).toEqual([
      'PRIVACY_HYBRID',
      'ROUTE_DEFAULT',
      'PIPELINE_REDACTS_FIRST',
    ])
    expect(d.fallbacks.map((f) => `${f.route}:${f.engine.name}`)).toEqual([
      'hybrid:extract_redacted+openai:gpt-4.1-mini',
    ])
    const noRedactor = decide(
      'extract',
      {},
      { modules: { summarize_text: configModules.summarize_text } },
    )
    expect(noRedactor.engine.name).toBe('ollama:qwen2.5')
    expect(noRedactor.reason_codes).toEqual(
      expect.arrayContaining(['PRIMARY_ROUTE_UNAVAILABLE', 'REDACTOR_UNAVAILABLE']),
    )
  })

  it('keeps a local-only extract on the host: the pipeline only with a local model step', () => {
    const d = decide('extract', { privacy: 'local-only' })
    for (const engine of everyEngine(d))
      expect(['ollama', 'vllm', undefined]).toContain(engine.provider)
    expect(d.engine.name).toBe('extract_redacted+ollama:qwen2.5')
    expect(d.reason_codes).toEqual(expect.arrayContaining(['PRIVACY_LOCAL_ONLY']))
  })

  it('prefers an engine that meets the latency target', () => {
    const d = decide(
      'answer',
      { requestedRoute: 'api', maxLatencyMs: 1000, estimatedOutputTokens: 50 },
      { latencyMs: { 'azure:gpt-4o-mini': 3000 } },
    )
    expect(d.engine.name).toBe('openai:gpt-4.1-mini')
    expect(d.estimates.latency_ms).toBe(800)
    expect(d.reason_codes).toContain('LATENCY_TARGET')
    expect(d.fallbacks.at(-1)?.engine.name).toBe('azure:gpt-4o-mini')
  })

  it('refuses a route the intent does not list, and an unknown intent', () => {
    const error = failure(() => decide('answer', { requestedRoute: 'hybrid' }))
    expect(error).toBeInstanceOf(RouterRouteNotAllowedError)
    expect(error.fields).toEqual({
      intent: 'answer',
      route: 'hybrid',
      candidates: ['local', 'api'],
    })
    expect(error.kind).toBe('unprocessable')
    expect(failure(() => decide('nope'))).toBeInstanceOf(RouterUnknownIntentError)
  })

  it('decides through the Router port', async () => {
    const router = new RulesRouter()
    const input = {
      features: featuresFor('summarize'),
      registries,
      registryVersion: 1,
      engines: fixedEngineState(),
    }
    await expect(router.decide(input)).resolves.toMatchObject({
      engine: { name: 'summarize_text' },
    })
    const refused = { ...input, features: featuresFor('summarize', { requestedRoute: 'api' }) }
    refused.engines = fixedEngineState({ configured: [] })
    await expect(router.decide(refused)).rejects.toMatchObject({ code: 'AION_ROUTER_NO_ROUTE' })
  })
})
