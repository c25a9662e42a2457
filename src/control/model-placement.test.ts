/**
 * Privacy by place and models.yml's `endpoint` / `upstream_model`, through
 * the real control plane and real test upstreams (vLLM speaks OpenAI's API):
 * each model goes to its own server under its upstream name with the task's
 * traceparent; a local-only task never sends a byte off the declared
 * networks, whether the router sees it statically (an IP literal) or only
 * the connection does (a host name, resolved at connect time).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstream, type Upstream } from '../../test/upstream/openai-upstream.js'
import { AddressGuard, NetworkList, type AddressLookup } from '../core/egress/index.js'
import { startHarness, traceId, type Harness } from './control-plane.fixture.js'

let llama: Upstream
let qwen: Upstream
let far: Upstream
let h: Harness
let configDir: string

/** models.yml: one local model per tier, so each intent below reaches one model. */
function modelsYml(): string {
  const model = (endpoint: string, upstream: string) =>
    `    provider: vllm\n    price_per_1k_input_usd: 0\n    price_per_1k_output_usd: 0\n` +
    `    endpoint: ${endpoint}\n    upstream_model: ${upstream}\n`
  return [
    'tiers:',
    "  tier0: { local: ['vllm:llama3.1'] }",
    "  tier1: { cloud: ['openai:gpt-4.1-mini'] }",
    "  tier2: { cloud: ['openai:gpt-4.1'] }",
    "  tier3: { local: ['vllm:qwen2.5'] }",
    "  tier4: { local: ['vllm:far-ip'] }",
    "  tier5: { local: ['vllm:far-name'] }",
    'models:',
    "  'vllm:llama3.1':",
    model(llama.url, 'meta-llama/Llama-3.1-8B-Instruct'),
    "  'vllm:qwen2.5':",
    model(qwen.url, 'Qwen/Qwen2.5-7B-Instruct'),
    "  'vllm:far-ip':",
    model(far.url, 'far/ip'),
    "  'vllm:far-name':",
    model(far.url.replace('127.0.0.2', 'vllm-far.test'), 'far/name'),
    "  'openai:gpt-4.1-mini': { provider: openai, price_per_1k_input_usd: 0.0004, price_per_1k_output_usd: 0.0016 }",
    "  'openai:gpt-4.1': { provider: openai, price_per_1k_input_usd: 0.002, price_per_1k_output_usd: 0.008 }",
    '',
  ].join('\n')
}

const intent = (name: string, tier: string) =>
  `${name}:\n  default_route: local\n  candidates: [local]\n  privacy: local-only\n` +
  `  tiers_allowed: [${tier}]\n  vector_usage: false\n  input_schema:\n    type: object\n` +
  `    required: [question]\n    properties: { question: { type: string } }\n`

// Stands in for DNS only: the connection it leads to is a real one, to 127.0.0.2.
const lookup: AddressLookup = async (host) =>
  host === 'vllm-far.test' ? ['127.0.0.2'] : [host === 'localhost' ? '127.0.0.1' : host]

beforeAll(async () => {
  llama = await startUpstream()
  qwen = await startUpstream()
  far = await startUpstream({ host: '127.0.0.2' })
  configDir = mkdtempSync(join(tmpdir(), 'aion-placement-'))
  cpSync('config', configDir, { recursive: true })
  writeFileSync(join(configDir, 'models.yml'), modelsYml())
  const intents = ['ask_llama', 'ask_qwen', 'ask_far_ip', 'ask_far_name']
  const tiers = ['tier0', 'tier3', 'tier4', 'tier5']
  const extra = intents.map((name, i) => intent(name, tiers[i] ?? 'tier0')).join('\n')
  const intentsFile = join(configDir, 'intents.yml')
  writeFileSync(intentsFile, `${readFileSync(intentsFile, 'utf8')}\n${extra}`)
  h = await startHarness({
    configDir,
    providers: (upstream) => ({
      timeoutMs: 5000,
      openai: { baseUrl: upstream.url, apiKey: undefined },
      azure: undefined,
      // The provider's own base URL: no model here uses it.
      vllm: { baseUrl: upstream.url, apiKey: undefined },
      ollama: undefined,
      hf: undefined,
    }),
    guard: new AddressGuard({ localNetworks: new NetworkList(['127.0.0.1/32']) }, lookup),
  })
})
afterAll(async () => {
  await h?.close()
  await Promise.all([llama?.close(), qwen?.close(), far?.close()])
  rmSync(configDir, { recursive: true, force: true })
})

async function run(intentName: string) {
  const queued = await h.submit({ intent: intentName, input: { question: 'Where is it. More.' } })
  return h.cp.waitForEnd('default', queued.task_id, 10_000)
}

describe('a model with its own endpoint and upstream name', () => {
  it('is called at that endpoint, under that name, with the task traceparent', async () => {
    const one = await run('ask_llama')
    const two = await run('ask_qwen')
    expect([one.status, two.status]).toEqual(['succeeded', 'succeeded'])
    expect(llama.requests.map((r) => (r.body as { model: string }).model)).toEqual([
      'meta-llama/Llama-3.1-8B-Instruct',
    ])
    expect(qwen.requests.map((r) => (r.body as { model: string }).model)).toEqual([
      'Qwen/Qwen2.5-7B-Instruct',
    ])
    expect(h.upstream.requests).toEqual([])
    const traceparent = String(llama.requests[0]?.headers.traceparent)
    expect(traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
  })
})

describe('a local-only task whose model is served off the declared networks', () => {
  it('is refused by the router when the endpoint is an address outside them', async () => {
    const ended = await run('ask_far_ip')
    expect(ended.status).toBe('failed')
    expect(ended.error?.code).toBe('AION_ROUTER_NO_ROUTE')
    expect(JSON.stringify(ended.error)).toContain('ENDPOINT_NOT_LOCAL')
    expect(far.connections()).toBe(0)
  })

  it('is refused at connect time when a host name resolves outside them, nothing sent', async () => {
    const ended = await run('ask_far_name')
    expect(ended.status).toBe('failed')
    expect(ended.error?.code).toBe('AION_EGRESS_NOT_LOCAL')
    expect(ended.error?.message).toContain('vllm-far.test')
    expect(far.connections()).toBe(0)
    expect(far.bytesReceived()).toBe(0)
    expect(far.requests).toEqual([])
  })
})
