/**
 * Rate limits and backpressure through the public API: 429 past the burst,
 * 503 on a full queue — both with Retry-After, both at once, never a hang.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ResultEnvelope } from '../../contracts/generated/index.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

describe('rate limits', () => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform({
      rateLimits: { perCredentialPerMin: 60, burst: 5, perIpPerMin: 1000 },
    })
  })
  afterAll(() => t.close())

  it('answers 429 with Retry-After and RateLimit headers past the burst', async () => {
    const body = { intent: 'summarize', input: { text: 'One sentence. Another one.' } }
    const statuses: number[] = []
    let limited: Response | undefined
    for (let i = 0; i < 8; i++) {
      const response = await t.submit(body)
      statuses.push(response.status)
      expect(response.headers.get('ratelimit-policy')).toBeTruthy()
      expect(response.headers.get('ratelimit')).toBeTruthy()
      if (response.status === 429) limited ??= response
      else await response.arrayBuffer()
    }
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202])
    expect(statuses.slice(5)).toEqual([429, 429, 429])
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(await limited?.json()).toMatchObject({ status: 429, code: 'AION_RATE_LIMITED' })
  })
})

describe('backpressure', () => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform({ env: { AION_QUEUE_CAPACITY: '1', AION_WORKERS_API: '1' } })
  })
  afterAll(() => t.close())

  it('answers 503 with Retry-After within milliseconds when the queue is full', async () => {
    t.upstream.script({ hang: true }, { hang: true })
    const body = { intent: 'answer', route: 'api', input: { question: 'Wait forever?' } }
    const first = (await (await t.submit(body)).json()) as ResultEnvelope // taken by the only worker
    const deadline = Date.now() + 5000
    while (t.upstream.requests.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const second = (await (await t.submit(body)).json()) as ResultEnvelope // waits in the queue

    // A refusal, not a wait: a hanging answer would trip this timeout and fail the test.
    const refused = await fetch(`${t.url}/v1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    })
    expect(refused.status).toBe(503)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(await refused.json()).toMatchObject({ code: 'AION_CONTROL_QUEUE_FULL', retryable: true })

    for (const task of [first, second]) {
      await fetch(`${t.url}/v1/tasks/${task.task_id}/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}` },
      })
    }
  })
})
