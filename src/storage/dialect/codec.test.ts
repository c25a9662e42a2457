import { describe, expect, it } from 'vitest'
import { Codec } from './codec.js'

/** What `time` did before its fast path: a Date round trip. */
function viaDate(value: string): string {
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return 'RangeError'
  return date.toISOString()
}

function viaCodec(value: string): string {
  try {
    return new Codec('sqlite').time(value)
  } catch (error) {
    return (error as Error).name
  }
}

describe('Codec.time', () => {
  it('gives what a Date round trip gives, for stored-form strings and others', () => {
    const edges = [
      '2024-02-29T10:00:00.000Z', // leap day
      '2026-02-29T00:00:00.000Z', // not a leap year: rolls over to March
      '2100-02-29T00:00:00.000Z', // a century, not a leap year
      '2000-02-29T00:00:00.000Z', // a 400th year, a leap year
      '2026-04-31T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-01T00:00:00.000Z',
      '2026-01-00T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:60:00.000Z',
      '2026-12-31T23:59:59.999Z',
      '0000-01-01T00:00:00.000Z',
      '2026-11-27T05:00:00+01:00',
      '2026-11-27',
      'not a time',
    ]
    for (const value of edges) expect(viaCodec(value), value).toBe(viaDate(value))
    for (let i = 0; i < 20_000; i++) {
      const value = new Date(Math.floor(Math.random() * 4e12) - 1e12).toISOString()
      expect(viaCodec(value)).toBe(value)
    }
  })
})
