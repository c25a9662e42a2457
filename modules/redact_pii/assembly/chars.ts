/** Character classes the detectors share (UTF-16 code units). */

export function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39
}

export function isUpper(c: i32): bool {
  return c >= 0x41 && c <= 0x5a
}

export function isAsciiLetter(c: i32): bool {
  return isUpper(c) || (c >= 0x61 && c <= 0x7a)
}

export function isAsciiAlnum(c: i32): bool {
  return isDigit(c) || isAsciiLetter(c)
}

/** Letters and digits of any script; surrogate halves count, so astral letters stay whole. */
export function isWordChar(c: i32): bool {
  if (c < 0x80) return isAsciiAlnum(c)
  if (c == 0xa0 || c == 0xd7 || c == 0xf7 || c == 0xfeff) return false
  if (c >= 0x80 && c <= 0xbf) return false
  // General punctuation, symbols, CJK punctuation and full-width forms' punctuation.
  if (c >= 0x2000 && c <= 0x2bff) return false
  if (c >= 0x3000 && c <= 0x303f) return false
  return true
}

/** The code unit at `i`, or -1 outside the text. */
export function at(text: string, i: i32): i32 {
  return i >= 0 && i < text.length ? text.charCodeAt(i) : -1
}
