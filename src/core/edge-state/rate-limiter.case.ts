/**
 * Cases every {@link RateLimiter} passes on the real clock: the in-process
 * buckets and Redis's alike (each adapter's test file runs them).
 */
import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import type { RateLimiter } from './rate-limiter.js'

/** The shared cases, over a limiter `limiter()` returns; `tenantId` is passed with every key. */
export function rateLimiterCases(limiter: () => RateLimiter, tenantId?: string): void {
  const fresh = (label: string) => `case:${label}:${randomUUID()}`

  it('lets the burst through, then refuses until one token is back, with its reset', async () => {
    const key = fresh('burst')
    const rule = { perMinute: 60, burst: 3 }
    for (let i = 0; i < 3; i++) {
      const decision = await limiter().consume(key, rule, tenantId)
      expect(decision).toMatchObject({ allowed: true, limit: 3, remaining: 2 - i, retryAfterMs: 0 })
      expect(decision.resetMs).toBeGreaterThan(0)
      expect(decision.resetMs).toBeLessThanOrEqual(1000)
    }
    const refused = await limiter().consume(key, rule, tenantId)
    expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0 })
    expect(refused.retryAfterMs).toBeGreaterThan(500)
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1000)
    expect(refused.resetMs).toBe(refused.retryAfterMs)
  })

  it('refills at the rule rate', async () => {
    const key = fresh('refill')
    const rule = { perMinute: 600, burst: 1 } // a token every 100 ms
    expect((await limiter().consume(key, rule, tenantId)).allowed).toBe(true)
    expect((await limiter().consume(key, rule, tenantId)).allowed).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect((await limiter().consume(key, rule, tenantId)).allowed).toBe(true)
  })

  it('keeps keys apart', async () => {
    const rule = { perMinute: 1, burst: 1 }
    const a = fresh('a')
    expect((await limiter().consume(a, rule, tenantId)).allowed).toBe(true)
    expect((await limiter().consume(a, rule, tenantId)).allowed).toBe(false)
    expect((await limiter().consume(fresh('b'), rule, tenantId)).allowed).toBe(true)
  })

  it('admits exactly the burst of many concurrent takes', async () => {
    const key = fresh('race')
    const rule = { perMinute: 1, burst: 10 }
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => limiter().consume(key, rule, tenantId)),
    )
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10)
  })

  it('applies a changed rule: a smaller burst clamps the tokens held', async () => {
    const key = fresh('rule')
    expect((await limiter().consume(key, { perMinute: 60, burst: 100 }, tenantId)).remaining).toBe(
      99,
    )
    expect((await limiter().consume(key, { perMinute: 60, burst: 3 }, tenantId)).remaining).toBe(2)
  })
}
