/**
 * Redis down, at the rate limiter (issue 14 §6): with Redis unreachable the
 * limiter decides at once — fail-open by this process's buckets, fail-closed
 * with 503 AION_RATE_LIMIT_UNAVAILABLE — counts and logs it (not once per
 * request), and once Redis answers again the same client serves shared
 * buckets: no restart.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { FailSafeRateLimiter } from '../src/gateway/rate-limit/index.js'
import {
  closeRedis,
  connectRedis,
  RedisKeys,
  RedisRateLimiter,
  type Redis,
} from '../src/storage/redis/index.js'
import { describeWithEngine } from './support/engines.js'
import {
  closedPort,
  dropKeys,
  freshKeyPrefix,
  probeRedis,
  startOutageProxy,
  testRedisClient,
  type OutageProxy,
} from './support/redis.js'

const probe = await probeRedis()

/** A logger that keeps its lines. */
function recordingLogger() {
  const lines: { level: 'warn' | 'info'; fields: Record<string, unknown>; message: string }[] = []
  return {
    lines,
    warn: (fields: Record<string, unknown>, message: string) =>
      lines.push({ level: 'warn', fields, message }),
    info: (fields: Record<string, unknown>, message: string) =>
      lines.push({ level: 'info', fields, message }),
  }
}

const rule = { perMinute: 60, burst: 5 }

describeWithEngine('Redis', probe, (url) => {
  const prefix = freshKeyPrefix()
  const keys = new RedisKeys(prefix)
  let admin: Redis
  let unreachable: Redis

  beforeAll(async () => {
    admin = await testRedisClient(url)
    unreachable = connectRedis({
      url: `redis://127.0.0.1:${await closedPort()}`,
      commandTimeoutMs: 500,
    })
  })
  afterAll(async () => {
    await closeRedis(unreachable)
    await dropKeys(admin, prefix)
  })

  it("fail-open: decides at once by this process's buckets, counts, and logs one line for many decisions", async () => {
    const logger = recordingLogger()
    const limiter = new FailSafeRateLimiter({
      shared: new RedisRateLimiter(unreachable, keys),
      mode: 'open',
      logger,
    })
    const timesMs: number[] = []
    const decisions = []
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now()
      decisions.push(await limiter.consume('cred:open', rule, 'default'))
      timesMs.push(performance.now() - t0)
    }
    limiter.close()
    const slowestMs = Math.max(...timesMs)
    console.info(
      `fail-open with Redis unreachable: 50 decisions, slowest ${slowestMs.toFixed(2)} ms`,
    )
    expect(decisions.filter((d) => d.allowed)).toHaveLength(rule.burst)
    expect(decisions[rule.burst]).toMatchObject({ allowed: false, limit: rule.burst, remaining: 0 })
    expect(slowestMs).toBeLessThan(50)
    expect(limiter.failures).toBe(50)
    const warnings = logger.lines.filter((l) => l.level === 'warn')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.message).toMatch(/fail-open/)
    expect(warnings[0]?.fields).toMatchObject({ failMode: 'open', decisions: 1 })
    expect((warnings[0]?.fields.err as { code?: string }).code).toBe('AION_STORE_UNAVAILABLE')
  })

  it('fail-closed: refuses at once with 503 AION_RATE_LIMIT_UNAVAILABLE and a Retry-After', async () => {
    const logger = recordingLogger()
    const limiter = new FailSafeRateLimiter({
      shared: new RedisRateLimiter(unreachable, keys),
      mode: 'closed',
      logger,
    })
    for (let i = 0; i < 3; i++) {
      await expect(limiter.consume('cred:closed', rule, 'default')).rejects.toMatchObject({
        code: 'AION_RATE_LIMIT_UNAVAILABLE',
        kind: 'unavailable',
        retryable: true,
        fields: { retryAfterSeconds: 1 },
      })
    }
    limiter.close()
    expect(limiter.failures).toBe(3)
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1)
  })

  it('recovers without a restart: the same client serves shared buckets once Redis is back', async () => {
    const proxy: OutageProxy = await startOutageProxy(url)
    const client = connectRedis({ url: proxy.url, commandTimeoutMs: 500, maxReconnectDelayMs: 200 })
    const logger = recordingLogger()
    const limiter = new FailSafeRateLimiter({
      shared: new RedisRateLimiter(client, keys),
      mode: 'open',
      logger,
      logIntervalMs: 0,
    })
    const other = new RedisRateLimiter(admin, keys)
    try {
      await new Promise((resolve) => client.once('ready', resolve))
      expect((await limiter.consume('cred:back', rule, 'default')).remaining).toBe(4)
      expect(limiter.failures).toBe(0)

      proxy.cut()
      const during = await limiter.consume('cred:back', rule, 'default')
      expect(during.allowed).toBe(true)
      expect(limiter.failures).toBe(1)

      proxy.restore()
      const restoredAt = performance.now()
      let shared = false
      while (!shared && performance.now() - restoredAt < 5000) {
        const before = limiter.failures
        await limiter.consume('cred:back', rule, 'default')
        shared = limiter.failures === before
        if (!shared) await new Promise((resolve) => setTimeout(resolve, 20))
      }
      const recoveryMs = performance.now() - restoredAt
      console.info(
        `Redis back: shared decisions again after ${Math.round(recoveryMs)} ms, same client`,
      )
      expect(shared).toBe(true)
      // Shared again: another gateway's client sees the tokens this one took (1 before, 1 after).
      expect((await other.consume('cred:back', rule, 'default')).remaining).toBe(2)
      expect(logger.lines.at(-1)).toMatchObject({
        level: 'info',
        message: expect.stringMatching(/answers again/),
      })
    } finally {
      limiter.close()
      await closeRedis(client)
      await proxy.close()
    }
  })
})
