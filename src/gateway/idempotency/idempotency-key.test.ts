import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readIdempotencyKey } from './idempotency-key.js'
import { canonicalJson, requestFingerprint } from './request-fingerprint.js'

describe('readIdempotencyKey', () => {
  it('accepts 1 to 255 visible ASCII characters and an absent header', () => {
    expect(readIdempotencyKey(undefined)).toBeUndefined()
    expect(readIdempotencyKey('7f3c-AB_9:~!')).toBe('7f3c-AB_9:~!')
    expect(readIdempotencyKey('x'.repeat(255))).toHaveLength(255)
  })

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(256)],
    ['a space', 'a b'],
    ['a tab', 'a\tb'],
    ['non-ASCII', 'clé'],
    ['a control character', 'a\u0001'],
  ])('refuses %s with AION_IDEMPOTENCY_KEY_INVALID', (_name, key) => {
    expect(() => readIdempotencyKey(key)).toThrow(
      expect.objectContaining({ code: 'AION_IDEMPOTENCY_KEY_INVALID' }),
    )
  })

  it('refuses a repeated header', () => {
    expect(() => readIdempotencyKey(['a', 'b'])).toThrow(/once/)
  })
})

describe('requestFingerprint', () => {
  it('ignores key order at every depth, not array order or values', () => {
    const a = { intent: 'summarize', input: { text: 'hi', max_sentences: 2 }, tags: [1, 2] }
    const b = { tags: [1, 2], input: { max_sentences: 2, text: 'hi' }, intent: 'summarize' }
    expect(requestFingerprint(a)).toBe(requestFingerprint(b))
    expect(requestFingerprint({ ...a, tags: [2, 1] })).not.toBe(requestFingerprint(a))
    expect(requestFingerprint({ ...a, intent: 'x' })).not.toBe(requestFingerprint(a))
    expect(canonicalJson(b)).toBe(
      '{"input":{"max_sentences":2,"text":"hi"},"intent":"summarize","tags":[1,2]}',
    )
  })

  it('equals JSON.parse of its own canonical form, and is shuffle-invariant', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalJson(value)
        expect(canonicalJson(JSON.parse(canonical))).toBe(canonical)
        expect(JSON.parse(canonical)).toEqual(JSON.parse(JSON.stringify(value)))
        const reversed = JSON.parse(
          JSON.stringify(value, (_k, v: unknown) =>
            v !== null && typeof v === 'object' && !Array.isArray(v)
              ? Object.fromEntries(Object.entries(v).reverse())
              : v,
          ),
        ) as unknown
        expect(requestFingerprint(reversed)).toBe(requestFingerprint(value))
      }),
    )
  })
})
