/**
 * Payment card numbers: 13 to 19 digits, compact or grouped by single spaces or
 * dashes, starting with a major network's digit (2–6: Mastercard, Amex, Diners,
 * JCB, Visa, Discover, UnionPay), and passing the Luhn check. A number that fails
 * Luhn is left alone: it is an order or account number, not a card.
 */
import { at, isDigit, isWordChar } from './chars'
// eslint-disable-next-line @typescript-eslint/consistent-type-imports -- AssemblyScript has no `import type`
import { Claims } from './spans'

const MIN_DIGITS = 13
const MAX_DIGITS = 19

/** The Luhn (mod 10) check over `digits`. */
export function luhnValid(digits: string): bool {
  let sum = 0
  let double = false
  for (let k = digits.length - 1; k >= 0; k--) {
    let d = digits.charCodeAt(k) - 0x30
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 == 0
}

function isGroupSeparator(c: i32): bool {
  return c == 0x20 || c == 0x2d
}

/** Whether a number may start at `i`: not inside a word, a decimal, a phone number or a range. */
export function numberMayStart(text: string, i: i32): bool {
  const before = at(text, i - 1)
  if (isWordChar(before) || before == 0x2b) return false
  if (before == 0x2e || before == 0x2c || before == 0x2f) return isDigit(at(text, i - 2)) == false
  if (isGroupSeparator(before) && isDigit(at(text, i - 2))) return false
  return true
}

/** Whether a number that ends at `end` (exclusive) ends there: no letter or decimal follows. */
export function numberEndsAt(text: string, end: i32): bool {
  const after = at(text, end)
  if (isWordChar(after)) return false
  if ((after == 0x2e || after == 0x2c) && isDigit(at(text, end + 1))) return false
  return true
}

export function findCards(text: string, claims: Claims): void {
  const n = text.length
  for (let i = 0; i < n; i++) {
    const first = at(text, i)
    if (!isDigit(first) || !numberMayStart(text, i)) continue
    const digits = new Array<string>()
    let j = i
    let end = i
    while (j < n && digits.length <= MAX_DIGITS) {
      const c = at(text, j)
      if (isDigit(c)) {
        digits.push(String.fromCharCode(c))
        j++
        end = j
      } else if (isGroupSeparator(c) && isDigit(at(text, j + 1))) {
        j++
      } else {
        break
      }
    }
    const count = digits.length
    const skipTo = end - 1
    if (count < MIN_DIGITS || count > MAX_DIGITS || first < 0x32 || first > 0x36) {
      i = skipTo
      continue
    }
    if (numberEndsAt(text, end) && luhnValid(digits.join(''))) claims.claim(i, end, 'card')
    i = skipTo
  }
}
