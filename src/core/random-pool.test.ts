import { describe, expect, it } from 'vitest'
import { randomByteFraction, randomHexId } from './random-pool.js'

describe('random pool', () => {
  it('gives hex ids of the asked length, all different across many pool refills', () => {
    const ids = new Set<string>()
    for (let i = 0; i < 5_000; i++) {
      const id = randomHexId(8)
      expect(id).toMatch(/^[0-9a-f]{16}$/)
      expect(id).not.toBe('0000000000000000')
      ids.add(id)
    }
    expect(ids.size).toBe(5_000)
    expect(randomHexId(16)).toMatch(/^[0-9a-f]{32}$/)
  })

  it('gives fractions k/256 that fall evenly into 32 buckets', () => {
    const buckets = new Array<number>(32).fill(0)
    const draws = 64_000
    for (let i = 0; i < draws; i++) {
      const value = randomByteFraction()
      expect(value).toBeGreaterThanOrEqual(0)
      expect(value).toBeLessThan(1)
      expect(Number.isInteger(value * 256)).toBe(true)
      buckets[Math.floor(value * 32)] = (buckets[Math.floor(value * 32)] ?? 0) + 1
    }
    // Chi-square with 31 degrees of freedom: above 70 happens with p < 0.0001.
    const expected = draws / 32
    const chiSquare = buckets.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0)
    expect(chiSquare).toBeLessThan(70)
  })
})
