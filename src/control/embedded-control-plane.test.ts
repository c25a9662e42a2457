/** The task flow through the real control plane: lifecycle, events, streams, local and api routes. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { StreamEvent } from '../../contracts/generated/index.js'
import { checkContract } from '../core/contracts/contract-validator.js'
import { startHarness, testActor, traceId, type Harness } from './control-plane.fixture.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await h?.close()
})
beforeEach(() => h.upstream.reset())

const text =
  'The quick brown fox jumps over the lazy dog. Dr. Smith paid 3.5 dollars for it. ' +
  'Foxes are quick. Dogs are lazy. The end came at noon.'

async function collect(iterable: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = []
  for await (const event of iterable) out.push(event)
  return out
}

async function eventsOf(taskId: string) {
  const events = await h.cp.platformEvents(0, 10_000)
  return events.filter((e) => e.key === taskId)
}

/** The task's log: its events, their topics, its lifecycle statuses, the decision it records. */
async function logOf(taskId: string) {
  const events = await eventsOf(taskId)
  const lifecycle = events
    .filter((e) => e.topic === 'aion.tasks.lifecycle')
    .map((e) => (e.payload as { status: string }).status)
  const decided = events.find((e) => e.topic === 'aion.router.decisions')
  const decision = (decided?.payload as { decision?: unknown } | undefined)?.decision
  return { events, topics: events.map((e) => e.topic), lifecycle, decision }
}

describe('submit', () => {
  it('refuses an unknown intent, listing the known ones', async () => {
    await expect(h.submit({ intent: 'translate', input: {} })).rejects.toMatchObject({
      code: 'AION_TASK_UNKNOWN_INTENT',
      fields: { knownIntents: expect.arrayContaining(['summarize', 'answer']) },
    })
  })

  it('validates input against the serving schema and lists every violation', async () => {
    const error = await h
      .submit({ intent: 'summarize', input: { text: 5, colour: 'red' } })
      .catch((e) => e)
    expect(error.code).toBe('AION_REQUEST_INVALID')
    const paths = (error.fields.violations as { path: string }[]).map((v) => v.path).sort()
    expect(paths).toEqual(['/input/colour', '/input/text'])
  })

  it('returns a queued envelope with a tsk_ ULID id, persisted with its events', async () => {
    const envelope = await h.submit({ intent: 'summarize', input: { text }, route: 'local' })
    expect(envelope.status).toBe('queued')
    expect(envelope.task_id).toMatch(/^tsk_[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(checkContract('result-envelope', envelope)).toEqual([])
    await h.cp.waitForEnd('default', envelope.task_id, 10_000)
  })
})

describe('local route', () => {
  it('runs summarize on the summarize_text module: lifecycle, events in order, usage row', async () => {
    const queued = await h.submit({
      intent: 'summarize',
      input: { text, max_sentences: 2 },
      route: 'local',
    })
    const done = await h.cp.waitForEnd('default', queued.task_id, 10_000)
    expect(done).toMatchObject({
      status: 'succeeded',
      route: 'local',
      engine: { kind: 'module', name: 'summarize_text', version: '1.3.0' },
      error: null,
    })
    expect(checkContract('result-envelope', done)).toEqual([])
    expect(typeof (done.output as { summary: unknown }).summary).toBe('string')

    const { events, topics, lifecycle, decision } = await logOf(queued.task_id)
    expect(lifecycle).toEqual(['queued', 'routed', 'running', 'succeeded'])
    expect(topics).toEqual([
      'aion.tasks.lifecycle',
      'aion.audit.activity',
      'aion.tasks.lifecycle',
      'aion.router.decisions',
      'aion.tasks.lifecycle',
      'aion.tasks.lifecycle',
      'aion.runtime.metrics',
    ])
    expect(checkContract('routing-decision', decision)).toEqual([])
    const audit = events.find((e) => e.topic === 'aion.audit.activity')!.payload
    expect(audit).toMatchObject({
      actor: { kind: 'api_key', id: testActor.id },
      action: 'task.submit',
      outcome: 'success',
    })
    expect(events.at(-1)!.payload).toMatchObject({ engine: 'summarize_text', outcome: 'success' })
    const usage = await h.store.usage.listByTask('default', queued.task_id)
    expect(usage).toHaveLength(1)
    expect(usage[0]).toMatchObject({ module: 'summarize_text', costUsd: 0 })

    const stream = await collect(h.cp.events('default', queued.task_id, 0))
    expect(stream.map((e) => e.event)).toEqual(['partial', 'done'])
    expect(stream.map((e) => e.seq)).toEqual([1, 2])
  })
})

describe('api route', () => {
  it('streams every delta as a token event, charges the usage, records it', async () => {
    h.upstream.script({ content: 'Foxes are quick and dogs are lazy, said the summary.' })
    const queued = await h.submit({
      intent: 'summarize',
      input: { text },
      route: 'api',
      stream: true,
    })
    const events = await collect(h.cp.events('default', queued.task_id, 0))
    const done = events.at(-1)!
    expect(done.event).toBe('done')
    const tokens = events.filter((e) => e.event === 'token')
    expect(tokens.length).toBeGreaterThan(1)
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
    const envelope = (done as Extract<StreamEvent, { event: 'done' }>).envelope
    expect(envelope.status).toBe('succeeded')
    expect(envelope.output).toEqual({
      text: tokens.map((t) => (t as { text: string }).text).join(''),
    })
    expect(envelope.engine).toMatchObject({
      kind: 'model',
      name: 'azure:gpt-4o-mini',
      tier: 'tier1',
    })
    expect(envelope.usage.input_tokens).toBeGreaterThan(0)
    expect(envelope.usage.cost_usd).toBeGreaterThan(0)
    expect(h.upstream.requests).toHaveLength(1)
    expect(h.upstream.requests[0]!.body).toMatchObject({ stream: true })
    const usage = await h.store.usage.listByTask('default', queued.task_id)
    expect(usage[0]).toMatchObject({ provider: 'azure', model: 'azure:gpt-4o-mini' })
    expect(usage[0]!.costUsd).toBe(envelope.usage.cost_usd)
    expect(h.budget.reservedUsd('default')).toBe(0)
    expect(h.budget.spentTodayUsd('default')).toBeGreaterThanOrEqual(envelope.usage.cost_usd)
  })

  it('resumes a stream after any seq with no gap and no duplicate', async () => {
    h.upstream.script({ content: 'One two three four five six seven.', chunkDelayMs: 5 })
    const queued = await h.submit({
      intent: 'summarize',
      input: { text },
      route: 'api',
      stream: true,
    })
    const all = await collect(h.cp.events('default', queued.task_id, 0))
    expect(all.length).toBeGreaterThan(3)
    const resumed = await collect(h.cp.events('default', queued.task_id, 2))
    expect(resumed).toEqual(all.slice(2))
  })

  it('clamps a budget above the hard cap (the decision says so) and caps the completion to it', async () => {
    const queued = await h.submit({
      intent: 'summarize',
      input: { text },
      route: 'api',
      budget_usd: 50,
    })
    expect((await h.cp.waitForEnd('default', queued.task_id, 10_000)).status).toBe('succeeded')
    const decision = (await eventsOf(queued.task_id)).find(
      (e) => e.topic === 'aion.router.decisions',
    )!
    expect(
      (decision.payload as { decision: { reason_codes: string[] } }).decision.reason_codes,
    ).toContain('BUDGET_CLAMPED')
    const body = h.upstream.requests[0]!.body as {
      max_tokens?: number
      max_completion_tokens?: number
    }
    expect(body.max_tokens ?? body.max_completion_tokens).toBeGreaterThan(0)
  })

  it('falls back to the next engine when the provider fails with 500', async () => {
    h.upstream.script({ status: 500 })
    const queued = await h.submit({ intent: 'summarize', input: { text }, route: 'api' })
    const done = await h.cp.waitForEnd('default', queued.task_id, 10_000)
    expect(done.status).toBe('succeeded')
    expect(done.engine?.name).toBe('openai:gpt-4.1-mini')
    expect(h.upstream.requests.map((r) => r.path)).toEqual([
      expect.stringContaining('/openai/deployments/gpt-4o-mini/'),
      '/v1/chat/completions',
    ])
    const metrics = (await eventsOf(queued.task_id))
      .filter((e) => e.topic === 'aion.runtime.metrics')
      .map((e) => e.payload as { engine: string; outcome: string })
    expect(metrics.map((m) => [m.engine, m.outcome])).toEqual([
      ['azure:gpt-4o-mini', 'failure'],
      ['openai:gpt-4.1-mini', 'success'],
    ])
  })

  it('a stream cut after tokens fails the task with an error event, never a done, no fallback', async () => {
    h.upstream.script({
      content: 'Alpha beta gamma delta epsilon zeta eta theta.',
      cutAfterChunks: 2,
    })
    const queued = await h.submit({
      intent: 'summarize',
      input: { text },
      route: 'api',
      stream: true,
    })
    const events = await collect(h.cp.events('default', queued.task_id, 0))
    expect(events.filter((e) => e.event === 'token').length).toBeGreaterThan(0)
    expect(events.at(-1)).toMatchObject({ event: 'error', error: { retryable: true } })
    expect(events.some((e) => e.event === 'done')).toBe(false)
    const envelope = await h.cp.get('default', queued.task_id)
    expect(envelope.status).toBe('failed')
    expect(envelope.error?.retryable).toBe(true)
    expect(h.upstream.requests).toHaveLength(1)
  })

  it('a stream cut before any token falls back to the next engine', async () => {
    h.upstream.script({ cutAfterChunks: 0 })
    const queued = await h.submit({
      intent: 'summarize',
      input: { text },
      route: 'api',
      stream: true,
    })
    const events = await collect(h.cp.events('default', queued.task_id, 0))
    expect(events.at(-1)).toMatchObject({ event: 'done', envelope: { status: 'succeeded' } })
    expect(h.upstream.requests).toHaveLength(2)
  })
})

describe('event log', () => {
  it('reads after an id, bounded, by topic', async () => {
    const all = await h.cp.platformEvents(0, 5)
    expect(all).toHaveLength(5)
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((a, b) => a - b))
    const next = await h.cp.platformEvents(all[1]!.id, 2)
    expect(next.map((e) => e.id)).toEqual([all[2]!.id, all[3]!.id])
    const audits = await h.cp.platformEvents(0, 1000, 'aion.audit.activity')
    expect(audits.length).toBeGreaterThan(0)
    expect(audits.every((e) => e.topic === 'aion.audit.activity')).toBe(true)
  })
})

describe('a submission whose client waits (Prefer: wait)', () => {
  it('is routed and written running in its own write when a slot is free; the log still shows each step', async () => {
    const submitted = await h.cp.submit({
      actor: testActor,
      request: { intent: 'summarize', input: { text, max_sentences: 2 }, route: 'local' },
      traceId,
      waiting: true,
    })
    expect(submitted).toMatchObject({
      status: 'running',
      route: 'local',
      engine: { kind: 'module', name: 'summarize_text' },
    })
    const done = await h.cp.waitForEnd('default', submitted.task_id, 10_000)
    expect(done.status).toBe('succeeded')
    const { topics, lifecycle, decision } = await logOf(submitted.task_id)
    expect(lifecycle).toEqual(['queued', 'routed', 'running', 'succeeded'])
    expect(topics).toEqual([
      'aion.tasks.lifecycle',
      'aion.tasks.lifecycle',
      'aion.router.decisions',
      'aion.tasks.lifecycle',
      'aion.audit.activity',
      'aion.tasks.lifecycle',
      'aion.runtime.metrics',
    ])
    expect(checkContract('routing-decision', decision)).toEqual([])
    const stored = await h.store.tasks.get('default', submitted.task_id)
    expect(stored?.decision).toEqual(decision)
  })

  it('queues instead when its route has no free slot, and does not overtake', async () => {
    const narrow = await h.restart({ workers: { local: 1, api: 1, hybrid: 1 } })
    h.upstream.script({ delayMs: 300, content: 'slow' }, { content: 'second' })
    const request = { intent: 'answer', input: { question: 'Why?' }, route: 'api' as const }
    const first = await narrow.submit({ actor: testActor, request, traceId, waiting: true })
    const second = await narrow.submit({ actor: testActor, request, traceId, waiting: true })
    expect([first.status, second.status]).toEqual(['running', 'queued'])
    const [firstDone, secondDone] = await Promise.all([
      narrow.waitForEnd('default', first.task_id, 10_000),
      narrow.waitForEnd('default', second.task_id, 10_000),
    ])
    expect([firstDone.status, secondDone.status]).toEqual(['succeeded', 'succeeded'])
    expect(firstDone.output).toEqual({ text: 'slow' })
    expect(secondDone.output).toEqual({ text: 'second' })
  })

  it('is queued as before when the client does not wait', async () => {
    const submitted = await h.submit({ intent: 'summarize', input: { text }, route: 'local' })
    expect(submitted.status).toBe('queued')
    await h.cp.waitForEnd('default', submitted.task_id, 10_000)
  })
})
