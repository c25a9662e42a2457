/**
 * What a pipeline's `redact` step does to the data: every string in it
 * (object keys included, and numbers long enough to be a phone or card
 * number written as a JSON number) goes through the redactor, and the
 * redacted text takes its place. The shape of the data is kept, so the next
 * step reads the same fields. Each distinct string is redacted once.
 */
import { ModuleOutputInvalidError } from '../../core/errors/index.js'
import type { JsonValue } from '../../core/domain/index.js'

/** Redacts one text; resolves with the redacted text. */
export type Redactor = (text: string) => Promise<string>

/** A number with this many digits or more may be personal data (a phone number has at least 7). */
const personalDigits = 7

/** Every string of `value`, keys included, redacted by `redact`. */
export async function redactStrings(
  value: JsonValue,
  redact: Redactor,
  module: string,
): Promise<JsonValue> {
  const texts = new Set<string>()
  collect(value, texts)
  const redacted = new Map<string, string>()
  // One at a time: calls share the task's deadline and the module pool with other tasks.
  for (const text of texts) redacted.set(text, await redact(text))
  return rebuild(value, redacted, module)
}

function digitCount(n: number): number {
  return String(n).replace(/\D/g, '').length
}

function collect(value: JsonValue, into: Set<string>): void {
  if (typeof value === 'string') {
    if (value !== '') into.add(value)
  } else if (typeof value === 'number') {
    if (digitCount(value) >= personalDigits) into.add(String(value))
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, into)
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key !== '') into.add(key)
      collect(item, into)
    }
  }
}

function rebuild(
  value: JsonValue,
  redacted: ReadonlyMap<string, string>,
  module: string,
): JsonValue {
  if (typeof value === 'string') return redacted.get(value) ?? value
  if (typeof value === 'number') {
    const text = String(value)
    const replaced = redacted.get(text)
    // A number the redactor left alone stays a number.
    return replaced === undefined || replaced === text ? value : replaced
  }
  if (Array.isArray(value)) return value.map((item) => rebuild(item, redacted, module))
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, JsonValue> = {}
  for (const [key, item] of Object.entries(value)) {
    const newKey = redacted.get(key) ?? key
    // Two keys that redact alike would silently merge: refuse instead of losing data.
    if (Object.hasOwn(out, newKey)) {
      throw new ModuleOutputInvalidError({
        module,
        violations: [{ path: '', message: `two object keys redact to the same text "${newKey}"` }],
      })
    }
    // defineProperty: a `__proto__` key from parsed JSON stays an own key.
    Object.defineProperty(out, newKey, {
      value: rebuild(item, redacted, module),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}
