/**
 * The test upstream itself: plain and streamed answers with usage, scripted
 * steps and model-name behaviours, Azure paths, recording and close.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startUpstream, type Upstream } from './openai-upstream.js'

let upstream: Upstream

beforeAll(async () => {
  upstream = await startUpstream({ recordLimit: 5 })
})
afterAll(() => upstream.close())
beforeEach(() => upstream.reset())

const chat = (body: Record<string, unknown>, path = '/v1/chat/completions') =>
  fetch(`${upstream.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

const ask = (text: string, extra: Record<string, unknown> = {}) =>
  chat({ model: 'm', messages: [{ role: 'user', content: text }], ...extra })

/** The JSON payloads of an SSE body's `data:` lines. */
function dataLines(raw: string): string[] {
  return raw
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice(6))
}

type Completion = { choices: [{ message: { content: string } }] }

describe('test upstream', () => {
  it('answers the first sentence of the last user message, with usage', async () => {
    const res = await ask('Hello there world. Second sentence.')
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'm',
      choices: [{ message: { role: 'assistant', content: 'Hello there world.' } }],
      usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
    })
  })

  it('streams chunks, a usage chunk when asked, then [DONE]', async () => {
    const res = await ask('one two three four', {
      stream: true,
      stream_options: { include_usage: true },
    })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const lines = dataLines(await res.text())
    expect(lines.at(-1)).toBe('[DONE]')
    type Chunk = { choices: { delta?: { content?: string } }[]; usage?: unknown }
    const chunks = lines.slice(0, -1).map((l) => JSON.parse(l) as Chunk)
    const text = chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('')
    expect(text).toBe('one two three four')
    expect(chunks.length).toBe(6) // 4 words, the finish chunk, the usage chunk
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 4 } })
  })

  it('answers {} when JSON output is asked for, unless a step gives the content', async () => {
    const format = { response_format: { type: 'json_object' } }
    const plain = (await (await ask('x', format)).json()) as Completion
    expect(plain.choices[0]).toMatchObject({ message: { content: '{}' } })
    upstream.script({ content: '{"a":1}' })
    const scripted = (await (await ask('x', format)).json()) as Completion
    expect(scripted.choices[0]).toMatchObject({ message: { content: '{"a":1}' } })
  })

  it('consumes scripted steps in order, then falls back to the model name', async () => {
    upstream.script({ status: 429, retryAfterSeconds: 7 }, { status: 503 })
    const first = await ask('a')
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '7'])
    expect(((await first.json()) as { error: { type: string } }).error.type).toBe(
      'rate_limit_exceeded',
    )
    expect((await ask('a')).status).toBe(503)
    expect((await ask('a')).status).toBe(200)
    expect((await chat({ model: 'fail-500', messages: [] })).status).toBe(500)
    const limited = await chat({ model: 'fail-429', messages: [] })
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '1'])
  })

  it('sends a raw body as given', async () => {
    upstream.script({ body: 'not json' })
    expect(await (await ask('a')).text()).toBe('not json')
  })

  it('delays by step and by model name', async () => {
    upstream.script({ delayMs: 80 })
    let started = Date.now()
    await ask('a')
    expect(Date.now() - started).toBeGreaterThanOrEqual(75)
    started = Date.now()
    await chat({ model: 'slow-60', messages: [] })
    expect(Date.now() - started).toBeGreaterThanOrEqual(55)
  })

  it('cuts a stream after N chunks: the client sees them, then a premature close', async () => {
    const res = await chat({
      model: 'cut-2',
      stream: true,
      messages: [{ role: 'user', content: 'a b c d e' }],
    })
    const reader = res.body!.getReader()
    let raw = ''
    const decoder = new TextDecoder()
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) return
          raw += decoder.decode(value)
        }
      })(),
    ).rejects.toThrow()
    expect(dataLines(raw)).toHaveLength(2)
    await expect(upstream.requests[0]!.finished).resolves.toBe('cut')
  })

  it('hangs until the client leaves, and records that it left', async () => {
    const controller = new AbortController()
    const pending = fetch(`${upstream.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'hang', messages: [] }),
      signal: controller.signal,
    }).catch((error: unknown) => (error as Error).name)
    await new Promise((r) => setTimeout(r, 50))
    expect(upstream.requests).toHaveLength(1)
    controller.abort()
    expect(await pending).toBe('AbortError')
    await expect(upstream.requests[0]!.finished).resolves.toBe('client-closed')
  })

  it('serves Azure deployment paths and requires api-version', async () => {
    const path = '/openai/deployments/my-gpt/chat/completions'
    const ok = await chat({ messages: [] }, `${path}?api-version=2024-10-21`)
    expect(((await ok.json()) as { model: string }).model).toBe('my-gpt')
    expect((await chat({ messages: [] }, path)).status).toBe(400)
    expect((await chat({}, '/v1/other')).status).toBe(404)
  })

  it('records method, path, headers and body, keeping only the most recent', async () => {
    for (let i = 0; i < 7; i++) await ask(`message ${i}`)
    expect(upstream.requests).toHaveLength(5)
    const last = upstream.requests.at(-1)!
    expect(last).toMatchObject({ method: 'POST', path: '/v1/chat/completions' })
    expect(last.headers['content-type']).toBe('application/json')
    expect(last.body).toMatchObject({ messages: [{ content: 'message 6' }] })
    await expect(last.finished).resolves.toBe('completed')
  })
})

describe('close', () => {
  it('ends hung connections so close() returns', async () => {
    const other = await startUpstream()
    const pending = fetch(`${other.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'hang', messages: [] }),
    }).then(
      () => 'answered',
      () => 'failed',
    )
    await new Promise((r) => setTimeout(r, 50))
    await other.close()
    expect(await pending).toBe('failed')
  })
})
