/**
 * Each profile, as the upstream sees it: URL, headers and body shape. The
 * calls go through the real client to the real test upstream.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startUpstream, type Upstream } from '../../../test/upstream/openai-upstream.js'
import { EgressPolicy } from '../../core/egress/index.js'
import { ProviderMisconfiguredError } from '../../core/errors/index.js'
import { Secret } from '../../core/secret.js'
import type { ChatRequest } from '../model-provider.js'
import { OpenAiCompatibleClient } from '../openai-compatible-client.js'
import { azureProfile } from './azure.js'
import { hfProfile } from './hf.js'
import { ollamaProfile } from './ollama.js'
import { openAiProfile } from './openai.js'
import type { ProviderProfile } from './provider-profile.js'
import { vllmProfile } from './vllm.js'

let upstream: Upstream
const clients: OpenAiCompatibleClient[] = []

beforeAll(async () => {
  upstream = await startUpstream()
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await upstream.close()
})
beforeEach(() => upstream.reset())

const schema = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] }

function request(extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'model-x',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hi.' },
    ],
    maxOutputTokens: 64,
    temperature: 0.2,
    responseFormat: { type: 'json_schema', name: 'answer', schema },
    signal: new AbortController().signal,
    ...extra,
  }
}

/** Completes one request with `profile` and returns what the upstream recorded. */
async function recorded(profile: ProviderProfile, extra: Partial<ChatRequest> = {}) {
  const client = new OpenAiCompatibleClient(profile, {
    timeoutMs: 5000,
    egress: new EgressPolicy([upstream.origin]),
  })
  clients.push(client)
  const result = await client.complete(request(extra))
  expect(result.text).toBe('{}')
  const last = upstream.requests.at(-1)
  if (last === undefined) throw new TypeError('the upstream recorded nothing')
  return { ...last, body: last.body as Record<string, unknown> }
}

const key = new Secret('sk-test-key-123')
const common = {
  messages: request().messages.map(({ role, content }) => ({ role, content })),
  temperature: 0.2,
}

describe('profiles', () => {
  it('openai: Bearer key, model in body, max_completion_tokens, strict json_schema', async () => {
    const seen = await recorded(openAiProfile({ baseUrl: upstream.url, apiKey: key }))
    expect(seen.path).toBe('/v1/chat/completions')
    expect(seen.headers.authorization).toBe('Bearer sk-test-key-123')
    expect(seen.headers['api-key']).toBeUndefined()
    expect(seen.body).toEqual({
      ...common,
      model: 'model-x',
      max_completion_tokens: 64,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema, strict: true },
      },
    })
  })

  it('openai: a schema strict mode cannot express goes non-strict when asked', async () => {
    const seen = await recorded(openAiProfile({ baseUrl: upstream.url, apiKey: key }), {
      responseFormat: { type: 'json_schema', name: 'answer', schema, strict: false },
    })
    expect(seen.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema, strict: false },
    })
  })

  it('azure: deployment URL with api-version, api-key header, no model in body', async () => {
    const profile = azureProfile({
      baseUrl: upstream.origin,
      apiKey: key,
      apiVersion: '2024-10-21',
    })
    const seen = await recorded(profile, { model: 'my deployment' })
    expect(seen.path).toBe(
      '/openai/deployments/my%20deployment/chat/completions?api-version=2024-10-21',
    )
    expect(seen.headers['api-key']).toBe('sk-test-key-123')
    expect(seen.headers.authorization).toBeUndefined()
    expect(seen.body.model).toBeUndefined()
    expect(seen.body.max_tokens).toBe(64)
    expect(seen.body.response_format).toMatchObject({ type: 'json_schema' })
  })

  it('vllm: /v1 appended when missing, Bearer only when a key is set, max_tokens', async () => {
    const bare = await recorded(vllmProfile({ baseUrl: upstream.origin, apiKey: undefined }))
    expect(bare.path).toBe('/v1/chat/completions')
    expect(bare.headers.authorization).toBeUndefined()
    expect(bare.body).toMatchObject({ model: 'model-x', max_tokens: 64 })
    expect(bare.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema, strict: true },
    })
    const keyed = await recorded(vllmProfile({ baseUrl: upstream.url, apiKey: key }))
    expect(keyed.path).toBe('/v1/chat/completions')
    expect(keyed.headers.authorization).toBe('Bearer sk-test-key-123')
  })

  it('ollama: its /v1 endpoint, never a key', async () => {
    const seen = await recorded(ollamaProfile({ baseUrl: `${upstream.origin}/`, apiKey: key }))
    expect(seen.path).toBe('/v1/chat/completions')
    expect(seen.headers.authorization).toBeUndefined()
    expect(seen.body).toMatchObject({ model: 'model-x', max_tokens: 64 })
  })

  it('hf: Bearer token and TGI grammar {type: json, value: schema}', async () => {
    const seen = await recorded(hfProfile({ baseUrl: upstream.url, apiKey: key }))
    expect(seen.path).toBe('/v1/chat/completions')
    expect(seen.headers.authorization).toBe('Bearer sk-test-key-123')
    expect(seen.body.response_format).toEqual({ type: 'json', value: schema })
    const plain = await recorded(hfProfile({ baseUrl: upstream.url, apiKey: key }), {
      responseFormat: { type: 'json_object' },
    })
    expect(plain.body.response_format).toEqual({ type: 'json', value: { type: 'object' } })
  })

  it('sends json_object as is to OpenAI-shaped providers, and leaves out unset options', async () => {
    const seen = await recorded(openAiProfile({ baseUrl: upstream.url, apiKey: key }), {
      responseFormat: { type: 'json_object' },
      maxOutputTokens: undefined,
      temperature: undefined,
    })
    expect(seen.body).toEqual({
      model: 'model-x',
      messages: common.messages,
      response_format: { type: 'json_object' },
    })
  })

  it.each(['ftp://host/v1', 'not a url', 'https://user:pw@host/v1', 'https://host/v1?x=1'])(
    'refuses the base URL %j without echoing it',
    (baseUrl) => {
      let caught: unknown
      try {
        openAiProfile({ baseUrl, apiKey: key })
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(ProviderMisconfiguredError)
      expect((caught as Error).message).not.toContain('host')
      expect((caught as Error).message).not.toContain('pw')
    },
  )
})
