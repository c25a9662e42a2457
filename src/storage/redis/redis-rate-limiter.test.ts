import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { rateLimiterCases } from '../../core/edge-state/rate-limiter.case.js'
import { describeWithEngine } from '../../../test/support/engines.js'
import {
  dropKeys,
  freshKeyPrefix,
  keysUnder,
  probeRedis,
  testRedisClient,
} from '../../../test/support/redis.js'
import { closeRedis } from './redis-connection.js'
import type { Redis } from 'ioredis'
import { RedisKeys } from './redis-keys.js'
import { RedisRateLimiter } from './redis-rate-limiter.js'

const probe = await probeRedis()

describeWithEngine('Redis', probe, (url) => {
  const prefix = freshKeyPrefix()
  const keys = new RedisKeys(prefix)
  let admin: Redis

  beforeAll(async () => {
    admin = await testRedisClient(url)
  })
  afterAll(async () => {
    await dropKeys(admin, prefix)
  })

  describe('RedisRateLimiter, the shared cases', () =>
    rateLimiterCases(() => new RedisRateLimiter(admin, keys), 'default'))

  it('never admits more than burst + rate × t across 3 gateways hammering one key', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => testRedisClient(url)))
    try {
      const limiters = clients.map((client) => new RedisRateLimiter(client, keys))
      const rule = { perMinute: 600, burst: 20 } // 10 tokens a second
      const startMs = performance.now()
      const untilMs = startMs + 1500
      let admitted = 0
      let refused = 0
      // 3 limiters × 15 concurrent callers, each taking tokens back to back until the deadline.
      const caller = async (limiter: RedisRateLimiter) => {
        while (performance.now() < untilMs) {
          const decision = await limiter.consume('cred:hammer', rule, 'default')
          if (decision.allowed) admitted++
          else refused++
        }
      }
      await Promise.all(
        limiters.flatMap((limiter) => Array.from({ length: 15 }, () => caller(limiter))),
      )
      const elapsedMs = performance.now() - startMs
      const bound = rule.burst + Math.floor((elapsedMs * rule.perMinute) / 60_000)
      console.info(
        `token bucket across 3 clients: ${admitted} admitted, ${refused} refused in ${Math.round(elapsedMs)} ms (bound ${bound})`,
      )
      expect(refused).toBeGreaterThan(admitted)
      expect(admitted).toBeLessThanOrEqual(bound)
      // Exact, not merely safe: the refills were taken as they came.
      expect(admitted).toBeGreaterThanOrEqual(
        rule.burst + Math.floor((elapsedMs * 0.5 * rule.perMinute) / 60_000),
      )
    } finally {
      await Promise.all(clients.map((client) => closeRedis(client)))
    }
  })

  it("keeps time by Redis's clock: a client clock far ahead refills nothing", async () => {
    const limiter = new RedisRateLimiter(admin, keys)
    const rule = { perMinute: 1, burst: 1 }
    expect((await limiter.consume('cred:skew', rule, 'default')).allowed).toBe(true)
    vi.useFakeTimers({ toFake: ['Date', 'performance'] })
    try {
      vi.setSystemTime(Date.now() + 3_600_000)
      vi.advanceTimersByTime(3_600_000)
      const refused = await limiter.consume('cred:skew', rule, 'default')
      expect(refused.allowed).toBe(false)
      expect(refused.retryAfterMs).toBeGreaterThan(55_000)
    } finally {
      vi.useRealTimers()
    }
  })

  it('namespaces buckets by tenant (encoded), and per-IP ones as global', async () => {
    const limiter = new RedisRateLimiter(admin, keys)
    const rule = { perMinute: 1, burst: 1 }
    expect((await limiter.consume('cred:same', rule, 'acme')).allowed).toBe(true)
    expect((await limiter.consume('cred:same', rule, 'acme')).allowed).toBe(false)
    expect((await limiter.consume('cred:same', rule, 'globex')).allowed).toBe(true)
    expect((await limiter.consume('cred:same', rule, 'a:b')).allowed).toBe(true)
    expect((await limiter.consume('ip:10.1.2.3', rule)).allowed).toBe(true)
    expect(await keysUnder(admin, `${prefix}tenant:acme:`)).toEqual([
      `${prefix}tenant:acme:rl:cred:same`,
    ])
    expect(await keysUnder(admin, `${prefix}tenant:a%3Ab:`)).toEqual([
      `${prefix}tenant:a%3Ab:rl:cred:same`,
    ])
    expect(await keysUnder(admin, `${prefix}global:`)).toEqual([`${prefix}global:rl:ip:10.1.2.3`])
  })

  it('expires a bucket once it would be full again', async () => {
    const limiter = new RedisRateLimiter(admin, keys)
    await limiter.consume('cred:ttl', { perMinute: 60, burst: 5 }, 'default')
    const ttlMs = await admin.pttl(`${prefix}tenant:default:rl:cred:ttl`)
    expect(ttlMs).toBeGreaterThan(0)
    expect(ttlMs).toBeLessThanOrEqual(1000)
  })

  it('loads its script again after Redis forgot it (NOSCRIPT → EVAL)', async () => {
    const limiter = new RedisRateLimiter(admin, keys)
    const rule = { perMinute: 60, burst: 2 }
    expect((await limiter.consume('cred:flush', rule, 'default')).remaining).toBe(1)
    await admin.script('FLUSH')
    expect((await limiter.consume('cred:flush', rule, 'default')).remaining).toBe(0)
    expect((await limiter.consume('cred:flush', rule, 'default')).allowed).toBe(false)
  })
})
