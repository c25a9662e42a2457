import { describe, expect, it } from 'vitest'
import type { ResultEnvelope, StreamEvent } from '../../../contracts/generated/index.js'
import { TaskStream } from './task-stream.js'
import { TaskStreamHub } from './task-stream-hub.js'

const envelope = (status: ResultEnvelope['status']): ResultEnvelope => ({
  task_id: 'tsk_01J0000000000000000000000X',
  status,
  intent: 'summarize',
  route: null,
  engine: null,
  output: null,
  usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0, duration_ms: 0 },
  error: null,
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-01-01T00:00:00.000Z',
})

async function collect(iterable: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = []
  for await (const event of iterable) out.push(event)
  return out
}

describe('TaskStream', () => {
  it('numbers events from 1 and replays after any seq, then follows live until done', async () => {
    const stream = new TaskStream('tsk_1', 'default')
    stream.token('a')
    stream.token('b')
    const fromStart = collect(stream.subscribe(0))
    const afterOne = collect(stream.subscribe(1))
    stream.token('c')
    stream.done(envelope('succeeded'))
    const all = await fromStart
    expect(all.map((e) => [e.seq, e.event])).toEqual([
      [1, 'token'],
      [2, 'token'],
      [3, 'token'],
      [4, 'done'],
    ])
    expect((await afterOne).map((e) => e.seq)).toEqual([2, 3, 4])
    expect(await collect(stream.subscribe(4))).toEqual([])
    await expect(stream.whenEnded()).resolves.toMatchObject({ status: 'succeeded' })
  })

  it('ends with exactly one error event and ignores anything after the end', async () => {
    const stream = new TaskStream('tsk_2', 'default')
    stream.token('partial text')
    stream.fail(
      { code: 'AION_PROVIDER_STREAM_CUT', message: 'cut', retryable: true },
      envelope('failed'),
    )
    stream.token('late')
    stream.done(envelope('succeeded'))
    const events = await collect(stream.subscribe(0))
    expect(events.map((e) => e.event)).toEqual(['token', 'error'])
    expect(stream.final?.status).toBe('failed')
  })

  it('stops a live subscription when its signal aborts', async () => {
    const stream = new TaskStream('tsk_3', 'default')
    const controller = new AbortController()
    const seen = collect(stream.subscribe(0, controller.signal))
    stream.token('x')
    await new Promise((r) => setTimeout(r, 5))
    controller.abort()
    expect((await seen).map((e) => e.seq)).toEqual([1])
  })
})

describe('TaskStreamHub', () => {
  it('keeps ended streams within the count bound, evicting the oldest first', async () => {
    const hub = new TaskStreamHub({ maxRetained: 2, retentionMs: 60_000 })
    try {
      for (const id of ['a', 'b', 'c']) {
        const stream = hub.open(id, 'default')
        stream.token('t')
        stream.done(envelope('succeeded'))
      }
      await new Promise((r) => setTimeout(r, 0))
      expect(hub.get('a')).toBeUndefined()
      expect(hub.get('b')).toBeDefined()
      expect(hub.get('c')).toBeDefined()
      const live = hub.open('d', 'default')
      expect(hub.openStreams()).toEqual([live])
    } finally {
      hub.close()
    }
  })

  it('lets a stream go at its end when nobody subscribed and it carried only its final event', async () => {
    const hub = new TaskStreamHub({ retentionMs: 60_000 })
    try {
      // Nobody subscribed, nothing but `done`: the store answers a later follower the same.
      hub.open('quiet', 'default').done(envelope('succeeded'))
      // Output was streamed: a client may resume after a token it saw.
      const streamed = hub.open('streamed', 'default')
      streamed.token('a')
      streamed.done(envelope('succeeded'))
      // Someone subscribed: it may reconnect with the id of the event it saw.
      const followed = hub.open('followed', 'default')
      const seen = collect(followed.subscribe(0))
      followed.done(envelope('succeeded'))
      expect((await seen).map((event) => event.event)).toEqual(['done'])
      await new Promise((r) => setTimeout(r, 0))
      expect(hub.get('quiet')).toBeUndefined()
      expect(hub.get('streamed')).toBe(streamed)
      expect(hub.get('followed')).toBe(followed)
    } finally {
      hub.close()
    }
  })
})
