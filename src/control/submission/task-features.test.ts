import { describe, expect, it } from 'vitest'
import { loadRegistrySet } from '../../core/registry/index.js'
import { textHasPii, valueHasPii } from './pii-scan.js'
import { buildFeatures, effectivePrivacy } from './task-features.js'

const loaded = await loadRegistrySet('config')
if (!loaded.ok) throw new TypeError('config/ must load')
const set = loaded.set

describe('PII scan', () => {
  it.each([
    ['mail me at jane.doe+x@example.co.uk today', true],
    ['call +44 20 7946 0958 now', true],
    ['IBAN DE89370400440532013000 please', true],
    ['card 4111 1111 1111 1111', true],
    ['the year 2024 had 365 days and 12 months', false],
    ['version 1.3.0 of summarize_text', false],
  ])('%s → %s', (text, expected) => {
    expect(textHasPii(text)).toBe(expected)
  })

  it('looks inside nested values', () => {
    expect(valueHasPii({ a: [{ b: 'x@y.io' }] })).toBe(true)
    expect(valueHasPii({ a: [1, true, null, 'plain'] })).toBe(false)
  })

  it('stays fast on hostile input', () => {
    const started = performance.now()
    textHasPii('1 '.repeat(200_000) + '@'.repeat(1000) + 'a.'.repeat(100_000))
    // Generous: a backtracking pattern would take seconds, not milliseconds.
    expect(performance.now() - started).toBeLessThan(2000)
  })
})

describe('features', () => {
  it('passes the asked budget (the router clamps it), defaults it, estimates tokens, flags PII', () => {
    const intent = set.intents.summarize!
    const f = buildFeatures(
      'default',
      {
        intent: 'summarize',
        input: { text: 'Write to a@b.io. ' + 'x'.repeat(396) },
        budget_usd: 5,
      },
      intent,
      set,
    )
    expect(f.budgetUsd).toBe(5)
    expect(f.inputBytes).toBe(
      Buffer.byteLength(JSON.stringify({ text: 'Write to a@b.io. ' + 'x'.repeat(396) })),
    )
    expect(f.estimatedInputTokens).toBe(Math.ceil(f.inputBytes / 4))
    expect(f.piiDetected).toBe(true)
    expect(f.requestedRoute).toBe('auto')
    const d = buildFeatures('default', { intent: 'summarize', input: { text: 'hi' } }, intent, set)
    expect(d.budgetUsd).toBe(set.policies.budget.default_usd)
    expect(d.piiDetected).toBe(false)
  })

  it('lets a request tighten privacy but never loosen it', () => {
    expect(effectivePrivacy(set.intents.summarize!, 'local-only')).toBe('local-only')
    expect(() => effectivePrivacy(set.intents.invoice_ocr!, 'allow-api')).toThrow(
      expect.objectContaining({ code: 'AION_REQUEST_INVALID' }),
    )
  })
})
