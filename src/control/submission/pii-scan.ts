/**
 * A cheap scan for personal data in a task's input: e-mail addresses, phone
 * numbers, IBANs and payment card numbers. It only sets a routing feature
 * (`piiDetected`), so it favours speed over recall; redaction is a module's
 * job. Every quantifier is bounded, so no input can make a pattern backtrack
 * for long.
 */

const email = /[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[A-Za-z]{2,24}/
// A leading + or digit, then 8–15 more digits with single separators between them.
const phone = /\+?\d(?:[\s().-]?\d){7,14}/
const iban = /\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}\b/
const card = /\b\d(?:[ -]?\d){12,18}\b/

const patterns = [email, iban, card, phone] as const

/** True when a string looks like it holds personal data. */
export function textHasPii(text: string): boolean {
  return patterns.some((pattern) => pattern.test(text))
}

/** True when any string inside `value` (object keys excluded) looks like personal data. */
export function valueHasPii(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return textHasPii(value)
  // The gateway bounds nesting already; the cap keeps a hostile in-process caller cheap too.
  if (depth > 32 || value === null || typeof value !== 'object') return false
  const children = Array.isArray(value) ? value : Object.values(value)
  return children.some((child) => valueHasPii(child, depth + 1))
}
