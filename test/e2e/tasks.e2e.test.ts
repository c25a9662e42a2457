/**
 * The task flow through the public HTTP API with real `fetch`: local and api
 * routes, every kind of bad input, idempotency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ResultEnvelope } from '../../contracts/generated/index.js'
import { mintApiKey } from '../../src/core/auth/index.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

let t: TestPlatform
beforeAll(async () => {
  t = await startTestPlatform({ env: { AION_BODY_LIMIT_BYTES: '65536' } })
})
afterAll(() => t.close())

const text =
  'OMERTAOS routes AI tasks to the right engine. Dr. Smith measured a p50 of 3.5 ms on the local route. ' +
  'The weather was nice that day. Privacy rules decide whether a payload may leave the host. ' +
  'Budgets cap what a task may cost.'

describe('submitting tasks', () => {
  it('summarizes on the local route with Prefer: wait and answers 200 with a real summary', async () => {
    const response = await t.submit(
      { intent: 'summarize', input: { text, max_sentences: 2 } },
      { prefer: 'wait=10' },
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('preference-applied')).toBe('wait=10')
    expect(response.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
    const envelope = (await response.json()) as ResultEnvelope
    const output = envelope.output as { summary: string; sentences: number[] }
    expect(envelope).toMatchObject({
      status: 'succeeded',
      intent: 'summarize',
      route: 'local',
      engine: { kind: 'module', name: 'summarize_text' },
      error: null,
    })
    expect(output.sentences).toHaveLength(2)
    expect(text).toContain(output.summary.split(' ').slice(0, 3).join(' '))
    expect(envelope.trace_id).toMatch(/^[0-9a-f]{32}$/)
  })

  it('answers 202 at once without Prefer, and the task can be read back', async () => {
    const response = await t.submit({ intent: 'summarize', input: { text } })
    expect(response.status).toBe(202)
    const queued = (await response.json()) as { task_id: string; status: string }
    expect(response.headers.get('location')).toBe(`/v1/tasks/${queued.task_id}`)
    const read = await fetch(`${t.url}/v1/tasks/${queued.task_id}`, {
      headers: { authorization: `Bearer ${t.key}` },
    })
    expect(read.status).toBe(200)
    expect(((await read.json()) as { task_id: string }).task_id).toBe(queued.task_id)
  })

  it('runs the api route against the provider and records usage and cost', async () => {
    t.upstream.reset()
    const response = await t.submit(
      { intent: 'answer', route: 'api', input: { question: 'What is OMERTAOS?' } },
      { prefer: 'wait=10' },
    )
    expect(response.status).toBe(200)
    const envelope = (await response.json()) as ResultEnvelope
    expect(envelope.status).toBe('succeeded')
    expect(envelope.engine).toMatchObject({ kind: 'model', provider: 'openai' })
    expect(envelope.usage.input_tokens).toBeGreaterThan(0)
    expect(envelope.usage.cost_usd).toBeGreaterThan(0)
    expect(t.upstream.requests).toHaveLength(1)
    expect(t.upstream.requests[0]?.headers.authorization).toBe('Bearer sk-e2e')
  })
})

describe('bad input gets problem+json with a stable code', () => {
  const cases: [string, () => Promise<Response>, number, string][] = [
    [
      'malformed JSON',
      () => t.submit('{"intent": "summarize",'),
      400,
      'AION_REQUEST_MALFORMED_JSON',
    ],
    ['wrong types', () => t.submit({ intent: 42, input: 'x' }), 422, 'AION_REQUEST_INVALID'],
    [
      'unknown intent',
      () => t.submit({ intent: 'teleport', input: {} }),
      422,
      'AION_TASK_UNKNOWN_INTENT',
    ],
    [
      'input the intent refuses',
      () => t.submit({ intent: 'summarize', input: { txt: 'x' } }),
      422,
      'AION_REQUEST_INVALID',
    ],
    [
      'oversized body',
      () => t.submit({ intent: 'summarize', input: { text: 'a'.repeat(70000) } }),
      413,
      'AION_REQUEST_BODY_TOO_LARGE',
    ],
    [
      'missing credentials',
      () =>
        fetch(`${t.url}/v1/tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      401,
      'AION_AUTH_MISSING',
    ],
    [
      'forged API key',
      () =>
        t.submit(
          { intent: 'summarize', input: { text } },
          { authorization: `Bearer ${mintApiKey().key}` },
        ),
      401,
      'AION_AUTH_INVALID',
    ],
  ]
  it.each(cases)('%s', async (_name, send, status, code) => {
    const response = await send()
    expect(response.status).toBe(status)
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await response.json()).toMatchObject({ status, code })
  })

  it('lists every violation at once', async () => {
    const response = await t.submit({
      intent: 'summarize',
      input: {},
      route: 'sideways',
      budget_usd: -1,
    })
    const problem = (await response.json()) as { violations: { path: string }[] }
    const paths = problem.violations.map((v) => v.path)
    expect(paths).toEqual(expect.arrayContaining(['/route', '/budget_usd']))
  })

  it("hides another tenant's task (404)", async () => {
    const created = (await (await t.submit({ intent: 'summarize', input: { text } })).json()) as {
      task_id: string
    }
    const other = mintApiKey()
    await t.platform.store.apiKeys.create({
      tenantId: 'other',
      keyId: other.keyId,
      secretHash: other.secretHash,
      name: 'other tenant',
      scopes: ['tasks:read'],
    })
    const response = await fetch(`${t.url}/v1/tasks/${created.task_id}`, {
      headers: { authorization: `Bearer ${other.key}` },
    })
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ code: 'AION_TASK_NOT_FOUND' })
  })
})

describe('Idempotency-Key', () => {
  // Each test asks its own question, so upstream calls are counted per test.
  const ask = (question: string) => ({ intent: 'answer', route: 'api', input: { question } })
  const callsAsking = (question: string) =>
    t.upstream.requests.filter((r) => JSON.stringify(r.body).includes(question)).length
  const body = ask('Once only?')

  async function settled(taskId: string): Promise<void> {
    const deadline = Date.now() + 10_000
    for (;;) {
      const read = await fetch(`${t.url}/v1/tasks/${taskId}`, {
        headers: { authorization: `Bearer ${t.key}` },
      })
      const { status } = (await read.json()) as { status: string }
      if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(status)) return
      if (Date.now() > deadline) throw new Error(`task ${taskId} still ${status}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  it('10 replays → 1 execution, the same task and the same response', async () => {
    t.upstream.reset()
    const headers = { 'idempotency-key': `replay-${Date.now()}`, prefer: 'wait=10' }
    const answers: { status: number; body: Record<string, unknown> }[] = []
    for (let i = 0; i < 10; i++) {
      const response = await t.submit(body, headers)
      answers.push({
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
      })
    }
    expect(new Set(answers.map((a) => a.body.task_id)).size).toBe(1)
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0])
    expect(callsAsking('Once only?')).toBe(1)
  })

  it('the same key with another body → 422', async () => {
    const headers = { 'idempotency-key': `changed-${Date.now()}` }
    expect((await t.submit(ask('First body?'), headers)).status).toBe(202)
    const response = await t.submit(ask('Something else?'), headers)
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ code: 'AION_IDEMPOTENCY_KEY_REUSED' })
  })

  it('50 concurrent requests with one key → exactly 1 execution', async () => {
    const headers = { 'idempotency-key': `concurrent-${Date.now()}`, prefer: 'wait=10' }
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => t.submit(ask('All fifty at once?'), headers)),
    )
    const statuses = responses.map((r) => r.status)
    const ids = new Set<unknown>()
    for (const response of responses) {
      const json = (await response.json()) as { task_id?: string; code?: string }
      if (response.status < 300) ids.add(json.task_id)
      else expect(json.code).toBe('AION_IDEMPOTENCY_IN_PROGRESS')
    }
    expect(statuses.every((s) => s === 200 || s === 202 || s === 409)).toBe(true)
    expect(ids.size).toBe(1)
    await settled([...ids][0] as string)
    expect(callsAsking('All fifty at once?')).toBe(1)
  })

  it('refuses a malformed key', async () => {
    const response = await t.submit(body, { 'idempotency-key': 'k'.repeat(256) })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ code: 'AION_IDEMPOTENCY_KEY_INVALID' })
  })
})
