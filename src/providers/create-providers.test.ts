import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstream, type Upstream } from '../../test/upstream/openai-upstream.js'
import { EgressPolicy } from '../core/egress/index.js'
import { Secret } from '../core/secret.js'
import type { ProviderSettings } from '../core/settings/index.js'
import { closeProviders, createProviders } from './create-providers.js'
import { OpenAiCompatibleClient } from './openai-compatible-client.js'

let upstream: Upstream
beforeAll(async () => {
  upstream = await startUpstream()
})
afterAll(() => upstream.close())

const none: ProviderSettings = {
  timeoutMs: 1000,
  openai: undefined,
  azure: undefined,
  vllm: undefined,
  ollama: undefined,
  hf: undefined,
}

describe('createProviders', () => {
  it('builds only the configured providers, and closes them', async () => {
    const key = new Secret('k')
    const set = createProviders({
      ...none,
      openai: { baseUrl: upstream.url, apiKey: key },
      azure: { baseUrl: upstream.origin, apiKey: key, apiVersion: '2024-10-21' },
      ollama: { baseUrl: upstream.origin, apiKey: undefined },
    })
    expect([...set.keys()].sort()).toEqual(['azure', 'ollama', 'openai'])
    expect(set.get('openai')).toBeInstanceOf(OpenAiCompatibleClient)
    const signal = new AbortController().signal
    const messages = [{ role: 'user' as const, content: 'Ping.' }]
    for (const [name, model] of [
      ['openai', 'gpt'],
      ['azure', 'dep'],
      ['ollama', 'qwen2.5'],
    ] as const) {
      const result = await set.get(name)!.complete({ model, messages, signal })
      expect(result.text).toBe('Ping.')
    }
    await closeProviders(set)
    await expect(set.get('openai')!.complete({ model: 'gpt', messages, signal })).rejects.toThrow()
  })

  it('is empty when nothing is configured', () => {
    expect(createProviders(none).size).toBe(0)
  })

  it('refuses an endpoint outside a given egress policy', () => {
    const settings = { ...none, vllm: { baseUrl: upstream.url, apiKey: undefined } }
    expect(() => createProviders(settings, { egress: new EgressPolicy(['models.test']) })).toThrow(
      expect.objectContaining({ code: 'AION_EGRESS_DENIED' }),
    )
  })
})
