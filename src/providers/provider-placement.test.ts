/**
 * Where a provider call goes, against real test upstreams: a model's own
 * endpoint and upstream name, the on-premises check of local-only calls
 * (counted at the socket: a refused call sends nothing), the address guard,
 * and the traceparent header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstream, type Upstream } from '../../test/upstream/openai-upstream.js'
import { failureOf } from '../../test/support/failure.js'
import { AddressGuard, NetworkList } from '../core/egress/index.js'
import { Secret } from '../core/secret.js'
import type { ProviderSettings } from '../core/settings/index.js'
import { closeProviders, createProviders } from './create-providers.js'
import type { ChatRequest, ProviderSet } from './model-provider.js'

const apiKey = 'vllm-key-0123456789'
let first: Upstream
let second: Upstream
let providers: ProviderSet

const settings = (baseUrl: string): ProviderSettings => ({
  timeoutMs: 5000,
  openai: undefined,
  azure: undefined,
  vllm: { baseUrl, apiKey: new Secret(apiKey) },
  ollama: undefined,
  hf: undefined,
})

beforeAll(async () => {
  first = await startUpstream()
  second = await startUpstream({ host: '127.0.0.2' })
  providers = createProviders(settings(first.url), {
    guard: new AddressGuard({ localNetworks: new NetworkList(['127.0.0.1/32']) }),
  })
})
afterAll(async () => {
  await closeProviders(providers)
  await Promise.all([first.close(), second.close()])
})

const vllm = () => providers.get('vllm')!
const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'llama3.1',
  messages: [{ role: 'user', content: 'Hello there.' }],
  signal: new AbortController().signal,
  ...extra,
})

describe('a model served at its own endpoint', () => {
  it('goes to that endpoint with the upstream name and the provider key', async () => {
    first.reset()
    second.reset()
    await vllm().complete(ask({ model: 'meta-llama/Llama-3.1-8B-Instruct', endpoint: second.url }))
    await vllm().complete(ask({ model: 'Qwen/Qwen2.5-7B-Instruct' }))
    expect(second.requests.map((r) => (r.body as { model: string }).model)).toEqual([
      'meta-llama/Llama-3.1-8B-Instruct',
    ])
    expect(second.requests[0]?.headers.authorization).toBe(`Bearer ${apiKey}`)
    expect(first.requests.map((r) => (r.body as { model: string }).model)).toEqual([
      'Qwen/Qwen2.5-7B-Instruct',
    ])
  })

  it('refuses an endpoint URL with credentials in it, naming the provider only', async () => {
    const error = await failureOf(vllm().complete(ask({ endpoint: 'http://u:pw@127.0.0.1:1/v1' })))
    expect(error.code).toBe('AION_PROVIDER_MISCONFIGURED')
    expect(error.message).not.toContain('pw')
  })
})

describe('an on-premises call', () => {
  it('is refused outside the local networks with nothing sent, the key included', async () => {
    const before = second.connections()
    const error = await failureOf(
      vllm().complete(ask({ endpoint: second.url, placement: 'on-premises' })),
    )
    expect(error.code).toBe('AION_EGRESS_NOT_LOCAL')
    expect(error.retryable).toBe(false)
    expect(error.message).toContain('127.0.0.2')
    expect(second.connections()).toBe(before)
    const streamed = await failureOf(
      (async () => {
        for await (const _ of vllm().stream(
          ask({ endpoint: second.url, placement: 'on-premises' }),
        ))
          void _
      })(),
    )
    expect(streamed.code).toBe('AION_EGRESS_NOT_LOCAL')
    expect(second.connections()).toBe(before)
  })

  it('sends nothing at all to a server that only ever saw refused calls', async () => {
    const fresh = await startUpstream({ host: '127.0.0.3' })
    try {
      for (const placement of ['on-premises', 'on-premises'] as const) {
        const error = await failureOf(vllm().complete(ask({ endpoint: fresh.url, placement })))
        expect(error.code).toBe('AION_EGRESS_NOT_LOCAL')
      }
      expect(fresh.connections()).toBe(0)
      expect(fresh.bytesReceived()).toBe(0)
      expect(fresh.requests).toEqual([])
    } finally {
      await fresh.close()
    }
  })

  it('goes ahead inside the local networks', async () => {
    first.reset()
    const result = await vllm().complete(ask({ placement: 'on-premises' }))
    expect(result.text).toBe('Hello there.')
    expect(first.requests).toHaveLength(1)
  })
})

describe('the address guard on provider calls', () => {
  it('refuses a metadata base URL before connecting, whatever else is allowed', async () => {
    const open = createProviders(settings('http://169.254.169.254/v1'), {
      guard: new AddressGuard({ allowLoopback: true, allowPrivate: true }),
    })
    try {
      const error = await failureOf(open.get('vllm')!.complete(ask()))
      expect(error.code).toBe('AION_EGRESS_ADDRESS_REFUSED')
      expect(error.message).not.toContain(apiKey)
    } finally {
      await closeProviders(open)
    }
  })
})

describe('traceparent', () => {
  it('is sent as a header when the request carries one, and not otherwise', async () => {
    first.reset()
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    await vllm().complete(ask({ traceparent }))
    await vllm().complete(ask())
    expect(first.requests.map((r) => r.headers.traceparent)).toEqual([traceparent, undefined])
  })
})

describe('isOnPremises', () => {
  it('judges IP literals by the local networks and lets host names through to connect time', () => {
    expect(vllm().isOnPremises(undefined)).toBe(true)
    expect(vllm().isOnPremises('http://127.0.0.2:8000/v1')).toBe(false)
    expect(vllm().isOnPremises('http://[::1]:8000/v1')).toBe(false)
    expect(vllm().isOnPremises('http://10.0.0.5:8000/v1')).toBe(false)
    expect(vllm().isOnPremises('http://gpu-box.lan:8000/v1')).toBe(true)
    expect(vllm().isOnPremises('not a url')).toBe(false)
  })
})
