import { describe, expect, it } from 'vitest'
import { CircuitBreakers } from './circuit-breaker.js'
import { LatencyTracker } from './latency-tracker.js'

describe('CircuitBreakers', () => {
  it('opens after N consecutive failures, lets one trial through after the cooldown', () => {
    let now = 1000
    const breakers = new CircuitBreakers({ failures: 3, cooldownMs: 500, now: () => now })
    for (let i = 0; i < 2; i++) {
      expect(breakers.tryAcquire('openai')).toBe(true)
      breakers.failure('openai')
    }
    expect(breakers.isOpen('openai')).toBe(false)
    breakers.tryAcquire('openai')
    breakers.failure('openai')
    expect(breakers.isOpen('openai')).toBe(true)
    expect(breakers.tryAcquire('openai')).toBe(false)
    expect(breakers.isOpen('azure')).toBe(false)

    now += 500
    expect(breakers.tryAcquire('openai')).toBe(true)
    // While the trial runs, everyone else still fails fast.
    expect(breakers.tryAcquire('openai')).toBe(false)
    breakers.failure('openai')
    expect(breakers.isOpen('openai')).toBe(true)

    now += 500
    expect(breakers.tryAcquire('openai')).toBe(true)
    breakers.success('openai')
    expect(breakers.isOpen('openai')).toBe(false)
    expect(breakers.tryAcquire('openai')).toBe(true)
  })

  it('a success resets the count of consecutive failures', () => {
    const breakers = new CircuitBreakers({ failures: 2, cooldownMs: 500 })
    breakers.failure('hf')
    breakers.success('hf')
    breakers.failure('hf')
    expect(breakers.isOpen('hf')).toBe(false)
  })
})

describe('LatencyTracker', () => {
  it('reports the p95 of the recent window only', () => {
    const tracker = new LatencyTracker({ window: 20 })
    expect(tracker.p95('x')).toBeUndefined()
    for (let i = 1; i <= 20; i++) tracker.record('x', i)
    expect(tracker.p95('x')).toBe(19)
    for (let i = 0; i < 20; i++) tracker.record('x', 1000)
    expect(tracker.p95('x')).toBe(1000)
  })
})
