/**
 * Values in and out of the database, so both engines hand callers the same
 * values: JSON is text on SQLite and jsonb (already parsed by `pg`) on
 * PostgreSQL; time is ISO text on SQLite and timestamptz (a `Date`) on
 * PostgreSQL; identity ids are integers on SQLite and int8 strings on PostgreSQL.
 */
import type { JsonValue } from '../../core/domain/index.js'
import type { StoreEngine } from '../ports/store.js'

/** The stored form of a time, as `Date.prototype.toISOString` writes it for years 0–9999. */
const isoUtcMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/** The two-digit number at `at`. */
function digits2(value: string, at: number): number {
  return (value.charCodeAt(at) - 48) * 10 + value.charCodeAt(at + 1) - 48
}

/**
 * Whether `value` is already in the stored form and names a real instant, so
 * `toISOString` would give it back unchanged (`Date` rolls `02-30` over to March
 * and `24:00` to the next day; those take the slow path).
 */
function isStoredTime(value: string): boolean {
  if (value.length !== 24 || !isoUtcMillis.test(value)) return false
  const year = digits2(value, 0) * 100 + digits2(value, 2)
  const month = digits2(value, 5)
  const day = digits2(value, 8)
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    digits2(value, 11) < 24 &&
    digits2(value, 14) < 60 &&
    digits2(value, 17) < 60
  )
}

/** Encodes and decodes the engine-dependent column values. */
export class Codec {
  constructor(readonly engine: StoreEngine) {}

  /** JSON to write; SQL NULL for null/undefined. */
  json(value: unknown): string | null {
    return value === null || value === undefined ? null : JSON.stringify(value)
  }

  readJson(raw: unknown): JsonValue | null {
    if (raw === null || raw === undefined) return null
    if (this.engine === 'sqlite') return JSON.parse(String(raw)) as JsonValue
    // pg parses jsonb itself, including a top-level JSON string.
    return raw as JsonValue
  }

  /**
   * Normalises a time to ISO-8601 UTC with milliseconds: the one stored form,
   * which also sorts correctly as text on SQLite.
   */
  time(value: string | Date = new Date()): string {
    // Most times arrive already in the stored form (`toISOString()`): no Date round trip.
    if (typeof value === 'string' && isStoredTime(value)) return value
    const date = typeof value === 'string' ? new Date(value) : value
    if (Number.isNaN(date.getTime())) throw new RangeError(`not a timestamp: ${String(value)}`)
    return date.toISOString()
  }

  readTime(raw: unknown): string {
    if (raw instanceof Date) return raw.toISOString()
    return new Date(String(raw)).toISOString()
  }

  readTimeOrNull(raw: unknown): string | null {
    return raw === null || raw === undefined ? null : this.readTime(raw)
  }

  /** int8 arrives as a string from `pg`; every id here stays below 2^53. */
  readInt(raw: unknown): number {
    return typeof raw === 'number' ? raw : Number(raw)
  }
}
