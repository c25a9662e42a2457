/**
 * Two gateways (whole platforms, each its own store) on one Redis, through a
 * proxy that can play an outage: the per-IP token bucket holds across both,
 * an `Idempotency-Key` sent to one replays on the other, and with Redis down
 * (issue 14 §6) fail-open answers no 5xx, keyed requests get 503
 * AION_IDEMPOTENCY_UNAVAILABLE with Retry-After, fail-closed answers 503
 * AION_RATE_LIMIT_UNAVAILABLE, and everything serves again once Redis is
 * back, without a restart.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { mintApiKey } from '../../src/core/auth/index.js'
import { describeWithEngine } from '../support/engines.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import {
  dropKeys,
  freshKeyPrefix,
  probeRedis,
  startOutageProxy,
  testRedisClient,
  type OutageProxy,
} from '../support/redis.js'

const probe = await probeRedis()
const perIpPerMin = 30
const body = { intent: 'summarize', input: { text: 'One sentence. Another one.' } }

describeWithEngine('Redis', probe, (url) => {
  const prefix = freshKeyPrefix()
  let proxy: OutageProxy
  let a: TestPlatform
  let b: TestPlatform
  let closed: TestPlatform
  /** One API key known to every gateway (the same credential, as with one shared store). */
  let sharedKey: string

  beforeAll(async () => {
    proxy = await startOutageProxy(url)
    const env = {
      AION_REDIS_URL: proxy.url,
      AION_REDIS_KEY_PREFIX: prefix,
      // Each test sends from an address of its own (X-Forwarded-For), so each has its own IP bucket.
      AION_TRUST_PROXY: 'true',
    }
    const rateLimits = { perCredentialPerMin: 100_000, burst: 100_000, perIpPerMin }
    ;[a, b, closed] = await Promise.all([
      startTestPlatform({ env, rateLimits }),
      startTestPlatform({ env, rateLimits }),
      startTestPlatform({ env: { ...env, AION_REDIS_FAIL_MODE: 'closed' }, rateLimits }),
    ])
    const minted = mintApiKey()
    for (const t of [a, b, closed]) {
      await t.platform.store.apiKeys.create({
        ...minted,
        name: 'shared',
        scopes: ['tasks:write', 'tasks:read'],
      })
    }
    sharedKey = minted.key
  })
  afterAll(async () => {
    await Promise.all([a, b, closed].map((t) => t?.close()))
    await proxy?.close()
    await dropKeys(await testRedisClient(url), prefix)
  })

  const from = (ip: string, headers: Record<string, string> = {}) => ({
    authorization: `Bearer ${sharedKey}`,
    'x-forwarded-for': ip,
    ...headers,
  })

  it('holds one per-IP bucket across both gateways', async () => {
    const startMs = performance.now()
    const statuses: number[] = []
    for (let i = 0; i < 2 * perIpPerMin; i++) {
      const response = await (i % 2 ? a : b).submit(body, from('10.9.0.1'))
      statuses.push(response.status)
      expect(response.headers.get('ratelimit')).toMatch(/"per-ip";r=\d+;t=\d+/)
      await response.arrayBuffer()
    }
    const elapsedMs = performance.now() - startMs
    const admitted = statuses.filter((s) => s === 202).length
    console.info(
      `2 gateways, one IP: ${admitted} of ${statuses.length} admitted in ${Math.round(elapsedMs)} ms (burst ${perIpPerMin})`,
    )
    expect(admitted).toBeGreaterThanOrEqual(perIpPerMin)
    expect(admitted).toBeLessThanOrEqual(
      perIpPerMin + Math.floor((elapsedMs * perIpPerMin) / 60_000),
    )
    expect(statuses.filter((s) => s !== 202 && s !== 429)).toEqual([])
  })

  it('replays on one gateway the answer to a key sent to the other', async () => {
    const key = `k-${randomUUID()}`
    const first = await a.submit(body, from('10.9.0.2', { 'idempotency-key': key }))
    expect(first.status).toBe(202)
    const created = (await first.json()) as { task_id: string }
    const again = await b.submit(body, from('10.9.0.2', { 'idempotency-key': key }))
    expect(again.status).toBe(202)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(((await again.json()) as { task_id: string }).task_id).toBe(created.task_id)
    const other = await b.submit(
      { ...body, input: { text: 'Else.' } },
      from('10.9.0.2', { 'idempotency-key': key }),
    )
    expect(await other.json()).toMatchObject({ status: 422, code: 'AION_IDEMPOTENCY_KEY_REUSED' })
  })

  it('Redis down: no 5xx fail-open, 503 for keys and fail-closed, then serves again without a restart', async () => {
    proxy.cut()
    const outageStatuses: number[] = []
    let slowestMs = 0
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now()
      const response = await (i % 2 ? a : b).submit(body, from('10.9.0.3'))
      slowestMs = Math.max(slowestMs, performance.now() - t0)
      outageStatuses.push(response.status)
      await response.arrayBuffer()
    }
    const fiveXx = outageStatuses.filter((s) => s >= 500).length
    console.info(
      `Redis down, fail-open: ${outageStatuses.length} requests, ${fiveXx} 5xx, slowest ${Math.round(slowestMs)} ms`,
    )
    expect(fiveXx).toBe(0)
    // This process's buckets limit each gateway on its own meanwhile: 30 each, 40 sent.
    expect(outageStatuses.filter((s) => s === 202)).toHaveLength(40)

    const keyed = await a.submit(body, from('10.9.0.4', { 'idempotency-key': `k-${randomUUID()}` }))
    expect(keyed.status).toBe(503)
    expect(keyed.headers.get('retry-after')).toBe('1')
    expect(await keyed.json()).toMatchObject({ code: 'AION_IDEMPOTENCY_UNAVAILABLE' })

    const refused = await closed.submit(body, from('10.9.0.5'))
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.json()).toMatchObject({ code: 'AION_RATE_LIMIT_UNAVAILABLE' })

    const metrics = await (
      await fetch(`${a.url}/metrics`, { headers: { authorization: `Bearer ${a.key}` } })
    ).text()
    expect(metrics).toMatch(/aion_rate_limit_store_failures_total\{fail_mode="open"\} [1-9]\d*/)

    proxy.restore()
    const restoredAt = performance.now()
    const key = `k-${randomUUID()}`
    let status = 0
    while (performance.now() - restoredAt < 10_000) {
      const response = await b.submit(body, from('10.9.0.6', { 'idempotency-key': key }))
      status = response.status
      await response.arrayBuffer()
      if (status === 202) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    console.info(
      `Redis back: a keyed request is served after ${Math.round(performance.now() - restoredAt)} ms`,
    )
    expect(status).toBe(202)
    const viaA = await a.submit(body, from('10.9.0.6', { 'idempotency-key': key }))
    expect(viaA.headers.get('idempotent-replayed')).toBe('true')
    await viaA.arrayBuffer()
    let closedStatus = 0
    while (performance.now() - restoredAt < 10_000) {
      const response = await closed.submit(body, from('10.9.0.7'))
      closedStatus = response.status
      await response.arrayBuffer()
      if (closedStatus === 202) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    expect(closedStatus).toBe(202)
  })
})
