/**
 * The client against the real test upstream: plain and streamed answers,
 * usage, abort, deadline, error mapping, cut streams, egress and secrecy.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startUpstream, type Upstream } from '../../test/upstream/openai-upstream.js'
import { EgressPolicy } from '../core/egress/index.js'
import type { AionError } from '../core/errors/index.js'
import { Secret } from '../core/secret.js'
import { costUsd, estimateTokens } from './cost.js'
import type { ChatRequest, ChatStreamEvent } from './model-provider.js'
import { OpenAiCompatibleClient } from './openai-compatible-client.js'
import { openAiProfile } from './profiles/openai.js'
import { failureOf } from '../../test/support/failure.js'

const apiKey = 'sk-very-secret-0123456789'
let upstream: Upstream
let client: OpenAiCompatibleClient
let quick: OpenAiCompatibleClient

function makeClient(timeoutMs: number, baseUrl = upstream.url) {
  return new OpenAiCompatibleClient(openAiProfile({ baseUrl, apiKey: new Secret(apiKey) }), {
    timeoutMs,
    egress: new EgressPolicy([new URL(baseUrl).origin]),
  })
}

beforeAll(async () => {
  upstream = await startUpstream()
  client = makeClient(5000)
  quick = makeClient(150)
})
afterAll(async () => {
  await Promise.all([client.close(), quick.close()])
  await upstream.close()
})
beforeEach(() => upstream.reset())

function ask(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'gpt-test',
    messages: [{ role: 'user', content: text }],
    signal: new AbortController().signal,
    ...extra,
  }
}

/** Drains a stream, returning the events it yielded and the error it ended with. */
async function drain(stream: AsyncIterable<ChatStreamEvent>) {
  const events: ChatStreamEvent[] = []
  try {
    for await (const event of stream) events.push(event)
  } catch (error) {
    return { events, error: error as AionError }
  }
  return { events, error: undefined }
}

describe('complete', () => {
  it('returns the text, the reported usage, finish reason and model', async () => {
    const result = await client.complete(ask('Hello from the test. More text.'))
    expect(result).toEqual({
      text: 'Hello from the test.',
      usage: { inputTokens: 10, outputTokens: 4 },
      finishReason: 'stop',
      model: 'gpt-test',
    })
    expect(costUsd({ price_per_1k_input_usd: 1, price_per_1k_output_usd: 2 }, result.usage)).toBe(
      0.018,
    )
  })

  it('estimates usage when the provider leaves it out', async () => {
    const text = 'Twelve bytes and then some more. Tail.'
    const result = await client.complete(ask(text, { model: 'no-usage' }))
    expect(result.usage).toEqual({
      inputTokens: estimateTokens(Buffer.byteLength(text)),
      outputTokens: estimateTokens(Buffer.byteLength('Twelve bytes and then some more.')),
    })
  })

  it('maps 429 with Retry-After, 5xx, 401/403 and other 4xx to stable codes', async () => {
    upstream.script(
      { status: 429, retryAfterSeconds: 3 },
      { status: 503 },
      { status: 401 },
      { status: 403 },
      { status: 400, body: { error: { message: 'context too long' } } },
      { status: 302, body: {} },
    )
    const limited = await failureOf(client.complete(ask('a')))
    expect([limited.code, limited.retryable, limited.fields]).toEqual([
      'AION_PROVIDER_RATE_LIMITED',
      true,
      { provider: 'openai', retryAfterSeconds: 3 },
    ])
    const down = await failureOf(client.complete(ask('a')))
    expect([down.code, down.retryable, down.fields.status]).toEqual([
      'AION_PROVIDER_UNAVAILABLE',
      true,
      503,
    ])
    for (const status of [401, 403]) {
      const auth = await failureOf(client.complete(ask('a')))
      expect([auth.code, auth.retryable, auth.fields.status]).toEqual([
        'AION_PROVIDER_AUTH_FAILED',
        false,
        status,
      ])
    }
    const rejected = await failureOf(client.complete(ask('a')))
    expect([rejected.code, rejected.retryable]).toEqual(['AION_PROVIDER_REJECTED', false])
    expect(rejected.message).toContain('context too long')
    expect((await failureOf(client.complete(ask('a')))).code).toBe('AION_PROVIDER_BAD_RESPONSE')
  })

  it('maps model-name failures the same way', async () => {
    expect((await failureOf(client.complete(ask('a', { model: 'fail-500' })))).code).toBe(
      'AION_PROVIDER_UNAVAILABLE',
    )
    expect((await failureOf(client.complete(ask('a', { model: 'fail-429' })))).fields).toEqual({
      provider: 'openai',
      retryAfterSeconds: 1,
    })
  })

  it('refuses a malformed body', async () => {
    upstream.script({ body: 'not json' }, { body: { choices: [] } }, { body: [1] })
    for (let i = 0; i < 3; i++) {
      const error = await failureOf(client.complete(ask('a')))
      expect([error.code, error.retryable]).toEqual(['AION_PROVIDER_BAD_RESPONSE', false])
    }
  })

  it('times out a hung upstream, aborting the call (the upstream sees the close)', async () => {
    const error = await failureOf(quick.complete(ask('a', { model: 'hang' })))
    expect([error.code, error.kind, error.retryable]).toEqual([
      'AION_PROVIDER_TIMEOUT',
      'deadline_exceeded',
      true,
    ])
    await expect(upstream.requests[0]!.finished).resolves.toBe('client-closed')
  })

  it('is cancelled by the caller, closing the connection at once', async () => {
    const controller = new AbortController()
    const pending = failureOf(
      client.complete(ask('a', { model: 'hang', signal: controller.signal })),
    )
    await waitFor(() => upstream.requests.length === 1)
    controller.abort()
    const error = await pending
    expect([error.code, error.kind]).toEqual(['AION_PROVIDER_CANCELLED', 'cancelled'])
    await expect(upstream.requests[0]!.finished).resolves.toBe('client-closed')
  })

  it('maps a refused connection to UNAVAILABLE', async () => {
    const gone = await startUpstream()
    const url = gone.url
    await gone.close()
    const orphan = makeClient(2000, url)
    const error = await failureOf(orphan.complete(ask('a')))
    await orphan.close()
    expect([error.code, error.retryable, error.fields.reason]).toEqual([
      'AION_PROVIDER_UNAVAILABLE',
      true,
      'ECONNREFUSED',
    ])
  })
})

describe('stream', () => {
  it('yields the deltas, then one done with the assembled text and usage', async () => {
    const { events, error } = await drain(client.stream(ask('one two three. four')))
    expect(error).toBeUndefined()
    expect(events.filter((e) => e.type === 'delta').map((e) => e.text)).toEqual([
      'one ',
      'two ',
      'three.',
    ])
    expect(events.at(-1)).toEqual({
      type: 'done',
      result: {
        text: 'one two three.',
        usage: { inputTokens: 8, outputTokens: 3 },
        finishReason: 'stop',
        model: 'gpt-test',
      },
    })
    expect(upstream.requests[0]!.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    })
  })

  it('throws a retryable STREAM_CUT after yielding the deltas that did arrive', async () => {
    const { events, error } = await drain(client.stream(ask('a b c d e f', { model: 'cut-2' })))
    expect(events).toEqual([
      { type: 'delta', text: 'a ' },
      { type: 'delta', text: 'b ' },
    ])
    expect([error?.code, error?.retryable, error?.fields.deltas]).toEqual([
      'AION_PROVIDER_STREAM_CUT',
      true,
      2,
    ])
  })

  it('treats a clean end without [DONE] or finish_reason as a cut', async () => {
    const chunk = { choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] }
    upstream.script({ body: `data: ${JSON.stringify(chunk)}\n\n` })
    const { events, error } = await drain(client.stream(ask('a')))
    expect(events).toEqual([{ type: 'delta', text: 'hi' }])
    expect(error?.code).toBe('AION_PROVIDER_STREAM_CUT')
  })

  it('reads a last event that lacks its blank line, and a JSON answer to a stream request', async () => {
    const chunk = { choices: [{ index: 0, delta: { content: 'end' }, finish_reason: 'stop' }] }
    upstream.script({ body: `: hi\r\n\r\ndata: ${JSON.stringify(chunk)}` })
    const tail = await drain(client.stream(ask('a')))
    expect(tail.error).toBeUndefined()
    expect(tail.events.map((e) => e.type)).toEqual(['delta', 'done'])
    upstream.script({
      body: { model: 'g', choices: [{ message: { content: 'whole' }, finish_reason: 'stop' }] },
    })
    const whole = await drain(client.stream(ask('a')))
    expect(whole.events[0]).toEqual({ type: 'delta', text: 'whole' })
    expect(whole.events[1]).toMatchObject({ type: 'done', result: { text: 'whole', model: 'g' } })
  })

  it('aborts mid-stream: the upstream sees the connection close, the caller gets CANCELLED', async () => {
    const controller = new AbortController()
    upstream.script({ chunkDelayMs: 30 })
    const seen: string[] = []
    const stream = client.stream(ask('w1 w2 w3 w4 w5 w6 w7 w8', { signal: controller.signal }))
    const error = await failureOf(
      (async () => {
        for await (const event of stream) {
          if (event.type === 'delta') seen.push(event.text)
          if (seen.length === 2) controller.abort()
        }
      })(),
    )
    expect(error.code).toBe('AION_PROVIDER_CANCELLED')
    expect(seen).toEqual(['w1 ', 'w2 '])
    await expect(upstream.requests[0]!.finished).resolves.toBe('client-closed')
  })

  it('closes the connection when the consumer stops early', async () => {
    upstream.script({ chunkDelayMs: 30 })
    for await (const event of client.stream(ask('x1 x2 x3 x4 x5'))) {
      expect(event).toEqual({ type: 'delta', text: 'x1 ' })
      break
    }
    await expect(upstream.requests[0]!.finished).resolves.toBe('client-closed')
  })

  it('times out a stream that stalls, but not one that keeps flowing', async () => {
    upstream.script({ delayMs: 1000 })
    const stalled = await drain(quick.stream(ask('a')))
    expect(stalled.error?.code).toBe('AION_PROVIDER_TIMEOUT')
    // 6 chunks 60 ms apart take longer than the 150 ms deadline, but none is late.
    upstream.script({ chunkDelayMs: 60 })
    const flowing = await drain(quick.stream(ask('a b c d e f')))
    expect(flowing.error).toBeUndefined()
    expect(flowing.events.at(-1)?.type).toBe('done')
  })

  it('maps an HTTP error before the stream and an error event inside it', async () => {
    upstream.script({ status: 429, retryAfterSeconds: 2 })
    expect((await drain(client.stream(ask('a')))).error?.code).toBe('AION_PROVIDER_RATE_LIMITED')
    upstream.script({ body: `data: {"error":{"message":"overloaded ${apiKey}"}}\n\n` })
    const inStream = (await drain(client.stream(ask('a')))).error
    expect(inStream?.code).toBe('AION_PROVIDER_UNAVAILABLE')
    expect(inStream?.message).toContain('overloaded [redacted]')
  })
})

describe('egress and secrecy', () => {
  it('refuses a provider whose host is not allowed', () => {
    const profile = openAiProfile({ baseUrl: 'https://api.example.com/v1', apiKey: undefined })
    expect(
      () =>
        new OpenAiCompatibleClient(profile, {
          timeoutMs: 1000,
          egress: new EgressPolicy([upstream.origin]),
        }),
    ).toThrow(expect.objectContaining({ code: 'AION_EGRESS_DENIED' }))
  })

  it('never puts the API key in an error, even when the upstream echoes it', async () => {
    const echo = { error: { message: `bad key ${apiKey} for model` } }
    upstream.script(
      { status: 401, body: echo },
      { status: 400, body: echo },
      { status: 500, body: echo },
    )
    for (let i = 0; i < 3; i++) {
      const error = await failureOf(client.complete(ask('a')))
      expect(JSON.stringify(error)).not.toContain(apiKey)
      expect(error.message).not.toContain(apiKey)
      expect(String(error.stack)).not.toContain(apiKey)
    }
    expect(upstream.requests[0]!.headers.authorization).toBe(`Bearer ${apiKey}`)
  })
})

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5))
  expect(condition()).toBe(true)
}
