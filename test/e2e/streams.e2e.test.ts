/**
 * Streams, cancellation and provider faults through the public API, with a
 * real EventSource client and the in-repo OpenAI-compatible upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ResultEnvelope } from '../../contracts/generated/index.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import {
  ended,
  listenToStream,
  type ListenOptions,
  type ReceivedEvent,
} from '../support/stream-client.js'

let t: TestPlatform
beforeAll(async () => {
  t = await startTestPlatform({ env: { AION_RETRY_MAX: '0' } })
})
afterAll(() => t.close())

const answer = {
  intent: 'answer',
  route: 'api',
  stream: true,
  input: { question: 'Tell me a story.' },
}

async function submitted(body: unknown = answer): Promise<ResultEnvelope> {
  const response = await t.submit(body)
  expect(response.status).toBe(202)
  return (await response.json()) as ResultEnvelope
}

/** Opens an EventSource on the task's stream; collects events until `stop` says so. */
function listen(taskId: string, options: ListenOptions): Promise<ReceivedEvent[]> {
  return listenToStream(t, taskId, options)
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('SSE', () => {
  it('streams tokens then done, and resumes with Last-Event-ID with no gap and no duplicate', async () => {
    t.upstream.reset()
    t.upstream.script({
      content: 'One. Two. Three. Four. Five. Six. Seven. Eight.',
      chunkDelayMs: 40,
    })
    const task = await submitted()
    const first = await listen(task.task_id, { stop: (events) => events.length >= 2 })
    const lastId = first.at(-1)?.id as string
    const rest = await listen(task.task_id, { lastEventId: lastId, stop: ended })

    const all = [...first, ...rest]
    const seqs = all.map((e) => Number(e.id))
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
    expect(all.at(-1)?.type).toBe('done')
    const text = all
      .filter((e) => e.data.event === 'token')
      .map((e) => (e.data as { text: string }).text)
      .join('')
    expect(text).toBe('One. Two. Three. Four. Five. Six. Seven. Eight.')
    const done = all.at(-1)?.data as { envelope: ResultEnvelope }
    expect(done.envelope.status).toBe('succeeded')
  })

  it('a stream cut after partial output ends in an error event, never a silent done', async () => {
    t.upstream.reset()
    t.upstream.script({
      content: 'alpha beta gamma delta epsilon zeta',
      cutAfterChunks: 2,
      chunkDelayMs: 20,
    })
    const task = await submitted()
    const events = await listen(task.task_id, { stop: ended })
    expect(events.some((e) => e.type === 'token')).toBe(true)
    const last = events.at(-1)
    expect(last?.type).toBe('error')
    expect(last?.data).toMatchObject({
      error: { code: 'AION_PROVIDER_STREAM_CUT', retryable: true },
    })
    const final = (await (
      await fetch(`${t.url}/v1/tasks/${task.task_id}`, {
        headers: { authorization: `Bearer ${t.key}` },
      })
    ).json()) as ResultEnvelope
    expect(final.status).toBe('failed')
    expect(final.error?.code).toBe('AION_PROVIDER_STREAM_CUT')
  })
})

describe('faults', () => {
  it('falls back to the next engine when the provider fails', async () => {
    t.upstream.reset()
    t.upstream.script({ status: 500 })
    const response = await t.submit(answer, { prefer: 'wait=10' })
    const envelope = (await response.json()) as ResultEnvelope
    expect(envelope.status).toBe('succeeded')
    const models = t.upstream.requests.map((r) => (r.body as { model: string }).model)
    expect(models).toHaveLength(2)
    expect(models[0]).not.toBe(models[1])
    expect(envelope.engine?.model).toBe(models[1])
  })

  it('cancellation aborts the provider call and ends the task cancelled', async () => {
    t.upstream.reset()
    t.upstream.script({ hang: true })
    const task = await submitted()
    await until(() => t.upstream.requests.length === 1)
    const response = await fetch(`${t.url}/v1/tasks/${task.task_id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}` },
    })
    expect(response.status).toBe(200)
    const cancelled = (await response.json()) as ResultEnvelope
    expect(cancelled.status).toBe('cancelled')
    expect(await t.upstream.requests[0]?.finished).toBe('client-closed')
  })

  it('a client that disconnects mid-stream leaves the task running to its end', async () => {
    t.upstream.reset()
    t.upstream.script({ content: 'One. Two. Three. Four. Five.', chunkDelayMs: 40 })
    const task = await submitted()
    const abort = new AbortController()
    const stream = await fetch(`${t.url}/v1/stream/${task.task_id}`, {
      headers: { authorization: `Bearer ${t.key}` },
      signal: abort.signal,
    })
    const reader = stream.body?.getReader()
    const first = await reader?.read()
    expect(new TextDecoder().decode(first?.value)).toMatch(/event: (token|partial|done)/)
    abort.abort()

    const final = await fetch(`${t.url}/v1/tasks/${task.task_id}`, {
      headers: { authorization: `Bearer ${t.key}`, prefer: 'wait=10' },
    })
    await until(() => t.upstream.requests.length === 1)
    const envelope = (await final.json()) as ResultEnvelope
    expect(['running', 'succeeded']).toContain(envelope.status)
    const done = await listen(task.task_id, { stop: ended })
    expect(done.at(-1)?.type).toBe('done')
  })

  it('a task that ended with nobody following streams one done with its stored envelope', async () => {
    t.upstream.reset()
    t.upstream.script({ content: 'Quiet answer.' })
    const response = await t.submit({ ...answer, stream: false }, { prefer: 'wait=10' })
    expect(response.status).toBe(200)
    const waited = (await response.json()) as ResultEnvelope
    expect(waited.status).toBe('succeeded')
    const events = await listen(waited.task_id, { stop: ended })
    expect(events.map((e) => [e.id, e.type])).toEqual([['1', 'done']])
    expect((events[0]?.data as { envelope: ResultEnvelope }).envelope).toEqual(waited)
  })
})
