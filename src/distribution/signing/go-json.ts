/**
 * JSON as Go's `encoding/json` writes a map or a plain value: no spaces, map
 * keys sorted, and `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u....`.
 * cosign's payloads and manifests are Go-marshalled and signed as bytes, so
 * what we write must match byte for byte.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)).replace(/[<>&\u2028\u2029]/g, (ch) => {
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
  })
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== 'object' || value === null) return value
  const record = value as Record<string, unknown>
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortKeys(record[key])]),
  )
}
