/**
 * Values in and out of the database, so both engines hand callers the same
 * values: JSON is text on SQLite and jsonb (already parsed by `pg`) on
 * PostgreSQL; time is ISO text on SQLite and timestamptz (a `Date`) on
 * PostgreSQL; identity ids are integers on SQLite and int8 strings on PostgreSQL.
 */
import type { JsonValue } from '../ports/json-value.js'
import type { StoreEngine } from '../ports/store.js'

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
