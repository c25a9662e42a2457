import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonDeeperThan } from './json-body.js'

/** Nesting depth of a parsed value: a scalar is 0, `[]` and `{}` are 1. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0
  const children = Object.values(value as Record<string, unknown>)
  return 1 + children.reduce<number>((max, child) => Math.max(max, depthOf(child)), 0)
}

describe('jsonDeeperThan', () => {
  it('agrees with the depth of the parsed value, whatever the strings hold', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 12 }),
        fc.integer({ min: 0, max: 14 }),
        (value, maxDepth) => {
          const text = JSON.stringify(value)
          expect(jsonDeeperThan(text, maxDepth)).toBe(depthOf(JSON.parse(text)) > maxDepth)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('skips brackets inside strings, escaped quotes included', () => {
    expect(jsonDeeperThan('{"a":"[[[[{{{{\\"[[[["}', 1)).toBe(false)
    expect(jsonDeeperThan('["\\\\",[[]]]', 2)).toBe(true)
  })

  it('answers without recursion for a very deep text', () => {
    expect(jsonDeeperThan('['.repeat(1_000_000) + ']'.repeat(1_000_000), 64)).toBe(true)
  })
})
