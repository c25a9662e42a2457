/**
 * The fingerprint of a request body: SHA-256 over its canonical JSON
 * (RFC 8785 style: object keys sorted by UTF-16 code units, no whitespace,
 * numbers and strings as `JSON.stringify` writes them), so two bodies that
 * differ only in key order or spacing share a fingerprint.
 */
import { createHash } from 'node:crypto'

/** Hex SHA-256 of {@link canonicalJson} of the body (`undefined` counts as `null`). */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex')
}

/** Serialises a parsed JSON value with object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ','
      out += canonicalJson(value[i])
    }
    return `${out}]`
  }
  const record = value as Record<string, unknown>
  let out = '{'
  let first = true
  for (const key of Object.keys(record).sort()) {
    const item = record[key]
    if (item === undefined) continue
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`
    first = false
  }
  return `${out}}`
}
