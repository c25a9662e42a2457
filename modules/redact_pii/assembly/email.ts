/**
 * E-mail addresses: `local@domain.tld`, with dots, `+tags` and the other common
 * local-part symbols, subdomains, and non-ASCII letters on either side (RFC 6531).
 */
import { at, isAsciiAlnum, isAsciiLetter, isWordChar } from './chars'
// eslint-disable-next-line @typescript-eslint/consistent-type-imports -- AssemblyScript has no `import type`
import { Claims } from './spans'

function isLocalChar(c: i32): bool {
  if (c < 0) return false
  if (c >= 0x80) return isWordChar(c)
  return (
    isAsciiAlnum(c) ||
    c == 0x2e || // .
    c == 0x5f || // _
    c == 0x25 || // %
    c == 0x2b || // +
    c == 0x2d || // -
    c == 0x27 // '
  )
}

function isLabelChar(c: i32): bool {
  if (c < 0) return false
  return c >= 0x80 ? isWordChar(c) : isAsciiAlnum(c) || c == 0x2d
}

/** Where the local part that ends before `at` starts, or -1 when there is none. */
function localStart(text: string, atSign: i32): i32 {
  let start = atSign
  while (start > 0 && isLocalChar(at(text, start - 1))) start--
  // Leading dots and quotes are sentence punctuation, not the address.
  while (start < atSign && (at(text, start) == 0x2e || at(text, start) == 0x27)) start++
  if (start == atSign || at(text, atSign - 1) == 0x2e) return -1
  return start
}

/** Where the domain that starts after `at` ends (exclusive), or -1 when it is not one. */
function domainEnd(text: string, atSign: i32): i32 {
  let i = atSign + 1
  let labels = 0
  let end = -1
  let lastLabelStart = i
  while (true) {
    const labelStart = i
    while (isLabelChar(at(text, i))) i++
    if (i == labelStart || at(text, labelStart) == 0x2d || at(text, i - 1) == 0x2d) break
    labels++
    lastLabelStart = labelStart
    end = i
    if (at(text, i) != 0x2e || !isLabelChar(at(text, i + 1))) break
    i++
  }
  if (labels < 2) return -1
  // The top-level domain is letters only (`.com`, `.de`, `.museum`), at least two.
  if (end - lastLabelStart < 2) return -1
  for (let k = lastLabelStart; k < end; k++) {
    const c = at(text, k)
    if (c < 0x80 && !isAsciiLetter(c)) return -1
  }
  return end
}

export function findEmails(text: string, claims: Claims): void {
  let i = text.indexOf('@')
  while (i >= 0) {
    const start = localStart(text, i)
    const end = start < 0 ? -1 : domainEnd(text, i)
    if (end > 0) claims.claim(start, end, 'email')
    i = text.indexOf('@', i + 1)
  }
}
