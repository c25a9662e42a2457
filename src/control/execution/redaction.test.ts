import { describe, expect, it } from 'vitest'
import { redactStrings, type Redactor } from './redaction.js'

/** Replaces every run of 7+ digits and every word with `@` (what a redactor might do). */
const seen: string[] = []
const redactor: Redactor = (text) => {
  seen.push(text)
  return Promise.resolve(text.replace(/\d{7,}/g, '[PHONE]').replace(/\S+@\S+/g, '[EMAIL]'))
}

describe('redactStrings', () => {
  it('redacts every string, deep, keeps the shape and other values, each distinct text once', async () => {
    seen.length = 0
    const input = {
      text: 'mail a@b.example',
      nested: [{ note: 'call 5551234567' }, 'mail a@b.example', true, null, 3.5],
      fields: ['total'],
    }
    expect(await redactStrings(input, redactor, 'redactor')).toEqual({
      text: 'mail [EMAIL]',
      nested: [{ note: 'call [PHONE]' }, 'mail [EMAIL]', true, null, 3.5],
      fields: ['total'],
    })
    expect(seen.filter((t) => t === 'mail a@b.example')).toHaveLength(1)
  })

  it('redacts object keys and numbers long enough to be a phone or card number', async () => {
    const input = { 'x@y.example': 1, phone: 4155551234, year: 2024 }
    expect(await redactStrings(input, redactor, 'redactor')).toEqual({
      '[EMAIL]': 1,
      phone: '[PHONE]',
      year: 2024,
    })
  })

  it('keeps a __proto__ key an own key', async () => {
    const input = JSON.parse('{"__proto__": {"polluted": "a@b.example"}}') as Record<string, never>
    const out = (await redactStrings(input, redactor, 'redactor')) as Record<string, unknown>
    expect(Object.getOwnPropertyNames(out)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses two keys that redact to the same text rather than merge them', async () => {
    await expect(
      redactStrings({ 'a@b.example': 1, 'c@d.example': 2 }, redactor, 'redactor'),
    ).rejects.toMatchObject({ code: 'AION_MODULE_OUTPUT_INVALID' })
  })

  it('passes an empty string through without a call', async () => {
    seen.length = 0
    expect(await redactStrings({ a: '' }, redactor, 'redactor')).toEqual({ a: '' })
    expect(seen).toEqual(['a'])
  })
})
