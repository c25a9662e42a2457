/**
 * Telephone numbers in the forms people write them, and not the other numbers a
 * text is full of (dates, amounts, invoice and order numbers):
 *
 * - international: `+` and 8–15 digits in any grouping (`+49 30 1234567`,
 *   `+1-202-555-0143`, `+44 (0)20 7946 0958`);
 * - an area code in parentheses and 9–12 digits in all (`(555) 123-4567`);
 * - North American 3-3-4 with one separator throughout (`555-123-4567`,
 *   `555.123.4567`), optionally after `1-`;
 * - national with a trunk `0` and 9–12 digits in 2–5 groups of one separator
 *   other than a dot (`030 1234567`, `0171/2345678`, `020 7946 0958`).
 *
 * A bare run of digits is never taken for a phone number.
 */
import { at, isDigit } from './chars'
import { numberEndsAt, numberMayStart } from './card'
// eslint-disable-next-line @typescript-eslint/consistent-type-imports -- AssemblyScript has no `import type`
import { Claims } from './spans'

class Group {
  constructor(
    public digits: i32,
    public parenthesized: bool,
    /** The separator before this group ('' for the first, or after a parenthesis). */
    public separator: string,
  ) {}
}

class Candidate {
  groups: Group[] = []
  end: i32 = 0
  totalDigits: i32 = 0
}

function digitsFrom(text: string, i: i32): i32 {
  let j = i
  while (isDigit(at(text, j))) j++
  return j - i
}

/** The separator at `i` when a group follows it: ' ', '-', '.', '/' or ' - '. */
function separatorAt(text: string, i: i32): string {
  const c = at(text, i)
  let length = 0
  if (c == 0x20 && at(text, i + 1) == 0x2d && at(text, i + 2) == 0x20) length = 3
  else if (c == 0x20 || c == 0x2d || c == 0x2e || c == 0x2f) length = 1
  if (length == 0) return ''
  const next = at(text, i + length)
  return isDigit(next) || next == 0x28 ? text.substring(i, i + length) : ''
}

/** Reads groups of digits from `i` (after any `+`). */
function readGroups(text: string, i: i32): Candidate {
  const candidate = new Candidate()
  let pos = i
  let separator = ''
  while (candidate.groups.length < 8) {
    let parenthesized = false
    let digits = 0
    if (at(text, pos) == 0x28) {
      digits = digitsFrom(text, pos + 1)
      if (digits == 0 || at(text, pos + 1 + digits) != 0x29) break
      parenthesized = true
      pos += digits + 2
    } else {
      digits = digitsFrom(text, pos)
      if (digits == 0) break
      pos += digits
    }
    candidate.groups.push(new Group(digits, parenthesized, separator))
    candidate.totalDigits += digits
    candidate.end = pos
    separator = separatorAt(text, pos)
    if (separator.length > 0) pos += separator.length
    else if (parenthesized && isDigit(at(text, pos))) separator = ''
    else break
  }
  return candidate
}

/** Whether every separator after the first group is `separator`. */
function separatorsAre(candidate: Candidate, separator: string): bool {
  for (let k = 1; k < candidate.groups.length; k++) {
    if (candidate.groups[k].separator != separator) return false
  }
  return true
}

function hasParentheses(candidate: Candidate): bool {
  for (let k = 0; k < candidate.groups.length; k++) {
    if (candidate.groups[k].parenthesized) return true
  }
  return false
}

function isNorthAmerican(candidate: Candidate): bool {
  const groups = candidate.groups
  if (hasParentheses(candidate)) return false
  const separator = groups.length > 1 ? groups[1].separator : ''
  if (separator != '-' && separator != '.' && separator != ' ') return false
  if (!separatorsAre(candidate, separator)) return false
  if (groups.length == 3)
    return groups[0].digits == 3 && groups[1].digits == 3 && groups[2].digits == 4
  return (
    groups.length == 4 &&
    groups[0].digits == 1 &&
    groups[1].digits == 3 &&
    groups[2].digits == 3 &&
    groups[3].digits == 4
  )
}

function isNationalWithTrunk(text: string, start: i32, candidate: Candidate): bool {
  const groups = candidate.groups
  if (at(text, start) != 0x30 || groups.length < 2 || groups.length > 5) return false
  if (hasParentheses(candidate) || groups[0].digits < 2 || groups[0].digits > 5) return false
  const separator = groups[1].separator
  if (separator == '.' || !separatorsAre(candidate, separator)) return false
  for (let k = 1; k < groups.length; k++) if (groups[k].digits < 2) return false
  return candidate.totalDigits >= 9 && candidate.totalDigits <= 12
}

function isPhone(text: string, start: i32, plus: bool, candidate: Candidate): bool {
  const total = candidate.totalDigits
  if (candidate.groups.length == 0) return false
  if (plus) return total >= 8 && total <= 15 && !candidate.groups[0].parenthesized
  const first = candidate.groups[0]
  if (first.parenthesized) {
    return first.digits >= 2 && first.digits <= 5 && total >= 9 && total <= 12
  }
  return isNorthAmerican(candidate) || isNationalWithTrunk(text, start, candidate)
}

export function findPhones(text: string, claims: Claims): void {
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = at(text, i)
    const plus = c == 0x2b && isDigit(at(text, i + 1))
    if (!plus && !isDigit(c) && !(c == 0x28 && isDigit(at(text, i + 1)))) continue
    if (claims.isTaken(i) || !numberMayStart(text, i)) continue
    const candidate = readGroups(text, plus ? i + 1 : i)
    const end = candidate.end
    if (end <= i) continue
    if (numberEndsAt(text, end) && isPhone(text, plus ? i + 1 : i, plus, candidate)) {
      if (claims.claim(i, end, 'phone')) {
        i = end - 1
        continue
      }
    }
    // Skip the rest of this run of digits: a phone number does not start inside one.
    let j = i + 1
    while (j < n && isDigit(at(text, j))) j++
    i = j - 1
  }
}
