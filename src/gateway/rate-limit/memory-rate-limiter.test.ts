import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { rateLimiterCases } from '../../core/edge-state/rate-limiter.case.js'
import { MemoryRateLimiter } from './memory-rate-limiter.js'
import { limitItem, policyItem, resetSeconds } from './rate-limit-headers.js'

function clock() {
  const state = { ms: 0 }
  return { state, nowMs: () => state.ms }
}

describe('MemoryRateLimiter', () => {
  it('allows the burst at once, then refuses until a token refills', () => {
    const { state, nowMs } = clock()
    const limiter = new MemoryRateLimiter({ nowMs, sweepIntervalMs: 0 })
    const rule = { perMinute: 60, burst: 120 }
    for (let i = 0; i < 120; i++) {
      const d = limiter.consumeNow('k', rule)
      expect(d.allowed).toBe(true)
      expect(d.remaining).toBe(119 - i)
    }
    const refused = limiter.consumeNow('k', rule)
    expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 120, retryAfterMs: 1000 })
    // The quota next grows when one token is back: the same moment as Retry-After.
    expect(refused.resetMs).toBe(1000)
    state.ms = 999
    expect(limiter.consumeNow('k', rule).allowed).toBe(false)
    state.ms = 1000
    expect(limiter.consumeNow('k', rule).allowed).toBe(true)
    expect(limiter.consumeNow('k', rule).allowed).toBe(false)
  })

  it('keeps keys apart', () => {
    const limiter = new MemoryRateLimiter({ nowMs: clock().nowMs, sweepIntervalMs: 0 })
    const rule = { perMinute: 1, burst: 1 }
    expect(limiter.consumeNow('a', rule).allowed).toBe(true)
    expect(limiter.consumeNow('a', rule).allowed).toBe(false)
    expect(limiter.consumeNow('b', rule).allowed).toBe(true)
  })

  it('never lets more through than burst + rate × elapsed time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 300 }),
        (perMinute, burst, gapsMs) => {
          const { state, nowMs } = clock()
          const limiter = new MemoryRateLimiter({ nowMs, sweepIntervalMs: 0 })
          let allowed = 0
          for (const gap of gapsMs) {
            state.ms += gap
            if (limiter.consumeNow('k', { perMinute, burst }).allowed) allowed++
          }
          return allowed <= burst + Math.floor((state.ms * perMinute) / 60_000)
        },
      ),
    )
  })

  it('states a reset that agrees with Retry-After and is neither early nor late', () => {
    // Replays the gaps on a fresh limiter, then asks once more `extraMs` later.
    const replay = (rule: { perMinute: number; burst: number }, gapsMs: number[], extraMs = 0) => {
      const { state, nowMs } = clock()
      const limiter = new MemoryRateLimiter({ nowMs, sweepIntervalMs: 0 })
      let last = limiter.consumeNow('k', rule)
      for (const gap of gapsMs) {
        state.ms += gap
        last = limiter.consumeNow('k', rule)
      }
      state.ms += extraMs
      return { last, next: limiter.consumeNow('k', rule) }
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 100 }),
        (perMinute, burst, gapsMs) => {
          const rule = { perMinute, burst }
          const { last } = replay(rule, gapsMs)
          const t = resetSeconds(last)
          if (!last.allowed) {
            expect(last.resetMs).toBe(last.retryAfterMs)
            expect(t).toBe(Math.max(1, Math.ceil(last.retryAfterMs / 1000)))
          }
          if (last.remaining > 0) return
          // With nothing left, a request t seconds later passes; one a second earlier does not.
          expect(replay(rule, gapsMs, t * 1000).next.allowed).toBe(true)
          if (t >= 2) expect(replay(rule, gapsMs, (t - 1) * 1000).next.allowed).toBe(false)
        },
      ),
    )
  })

  it('applies a changed rule: a smaller burst clamps the tokens held', () => {
    const limiter = new MemoryRateLimiter({ nowMs: clock().nowMs, sweepIntervalMs: 0 })
    expect(limiter.consumeNow('k', { perMinute: 60, burst: 100 }).remaining).toBe(99)
    expect(limiter.consumeNow('k', { perMinute: 60, burst: 3 }).remaining).toBe(2)
  })

  it('holds at most maxBuckets, dropping the least recently used', () => {
    const limiter = new MemoryRateLimiter({
      maxBuckets: 3,
      nowMs: clock().nowMs,
      sweepIntervalMs: 0,
    })
    const rule = { perMinute: 1, burst: 1 }
    for (const key of ['a', 'b', 'c']) limiter.consumeNow(key, rule)
    limiter.consumeNow('a', rule) // a is now the most recent
    limiter.consumeNow('d', rule) // evicts b
    expect(limiter.size).toBe(3)
    expect(limiter.consumeNow('a', rule).allowed).toBe(false)
    expect(limiter.consumeNow('b', rule).allowed).toBe(true)
  })

  it('sweeps buckets that have refilled, and only those', () => {
    const { state, nowMs } = clock()
    const limiter = new MemoryRateLimiter({ nowMs, sweepIntervalMs: 0 })
    limiter.consumeNow('fast', { perMinute: 60, burst: 1 })
    limiter.consumeNow('slow', { perMinute: 1, burst: 1 })
    state.ms = 1000
    expect(limiter.sweep()).toBe(1)
    expect(limiter.size).toBe(1)
    expect(limiter.consumeNow('slow', { perMinute: 1, burst: 1 }).allowed).toBe(false)
  })
})

describe('MemoryRateLimiter, the shared cases', () => {
  const limiter = new MemoryRateLimiter()
  afterAll(() => limiter.close())
  rateLimiterCases(() => limiter)
})

describe('rate limit header items', () => {
  it('states a bucket as its burst over its refill time, and what remains', () => {
    expect(policyItem('per-credential', { perMinute: 60, burst: 120 })).toBe(
      '"per-credential";q=120;w=120',
    )
    expect(policyItem('per-ip', { perMinute: 120, burst: 120 })).toBe('"per-ip";q=120;w=60')
    expect(
      limitItem('per-ip', {
        allowed: true,
        limit: 5,
        remaining: 4,
        retryAfterMs: 0,
        resetMs: 1500,
      }),
    ).toBe('"per-ip";r=4;t=2')
  })
})
