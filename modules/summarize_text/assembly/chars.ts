/** Character classes the splitter and the tokenizer share (UTF-16 code units). */

export function isSpace(c: i32): bool {
  return (
    c == 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c == 0xa0 ||
    c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c == 0x2028 ||
    c == 0x2029 ||
    c == 0x202f ||
    c == 0x205f ||
    c == 0x3000 ||
    c == 0xfeff
  )
}

export function isNewline(c: i32): bool {
  return c == 0x0a || c == 0x0d || c == 0x2028 || c == 0x2029
}

/** Sentence-ending punctuation: `.`, `!`, `?`, `…` and their CJK full-width forms. */
export function isTerminator(c: i32): bool {
  return c == 0x2e || c == 0x21 || c == 0x3f || c == 0x2026 || isCjkTerminator(c) || c == 0x203c
}

/** CJK terminators end a sentence without a following space. */
export function isCjkTerminator(c: i32): bool {
  return c == 0x3002 || c == 0xff01 || c == 0xff1f || c == 0xff0e
}

/** Closing quotes and brackets that stay with the sentence they end. */
export function isCloser(c: i32): bool {
  return (
    c == 0x22 ||
    c == 0x27 ||
    c == 0x29 ||
    c == 0x5d ||
    c == 0x7d ||
    c == 0xbb ||
    c == 0x2019 ||
    c == 0x201d ||
    c == 0x203a ||
    c == 0x300d ||
    c == 0x300f ||
    c == 0xff09
  )
}

/** Opening quotes and brackets stripped from the front of a word. */
export function isOpener(c: i32): bool {
  return (
    c == 0x22 ||
    c == 0x27 ||
    c == 0x28 ||
    c == 0x5b ||
    c == 0x7b ||
    c == 0xab ||
    c == 0x2018 ||
    c == 0x201c ||
    c == 0x2039
  )
}

export function isAsciiDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39
}

export function isAsciiLetter(c: i32): bool {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
}

/** An ASCII letter or digit (the common case of {@link isWordChar}, tested first). */
export function isAsciiAlphanumeric(c: i32): bool {
  return <u32>((c | 0x20) - 0x61) < 26 || <u32>(c - 0x30) < 10
}

/** Han, Hiragana and Katakana: written without spaces, so each is its own token. */
export function isCjkIdeograph(c: i32): bool {
  return (
    (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)
  )
}

/** Non-ASCII code units that are punctuation or symbols rather than letters. */
function isNonAsciiPunctuation(c: i32): bool {
  return (
    (c >= 0x80 && c <= 0xbf) ||
    c == 0xd7 ||
    c == 0xf7 ||
    (c >= 0x2000 && c <= 0x2bff) ||
    (c >= 0x3000 && c <= 0x303f) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff0f) ||
    (c >= 0xff1a && c <= 0xff20) ||
    c == 0xfeff
  )
}

/** Letters and digits of any script; surrogate halves count, so astral letters stay whole. */
export function isWordChar(c: i32): bool {
  if (c < 0x80) return isAsciiLetter(c) || isAsciiDigit(c)
  return !isSpace(c) && !isNonAsciiPunctuation(c)
}

// The case of each non-ASCII code unit, worked out once with the string methods (which
// allocate) and kept, two bits a unit: 0 not yet known, then one of the values below.
// Made on first use, since ASCII text never needs it.
let caseOfUnit: usize = 0
const CASE_LOWER: u32 = 1
const CASE_UPPER: u32 = 2
const CASE_NEITHER: u32 = 3

/** The case of a non-ASCII, non-surrogate code unit. */
function caseOf(c: i32): u32 {
  if (caseOfUnit == 0) {
    caseOfUnit = heap.alloc(0x10000 >> 2)
    memory.fill(caseOfUnit, 0, 0x10000 >> 2)
  }
  const cell = caseOfUnit + ((<usize>c) >> 2)
  const shift = ((<u32>c) & 3) << 1
  let known = ((<u32>load<u8>(cell)) >> shift) & 3
  if (known != 0) return known
  const ch = String.fromCharCode(c)
  const upper = ch.toUpperCase()
  const lower = ch.toLowerCase()
  if (upper != ch && lower == ch) known = CASE_LOWER
  else if (lower != ch && upper == ch) known = CASE_UPPER
  else known = CASE_NEITHER
  store<u8>(cell, <u8>((<u32>load<u8>(cell)) | (known << shift)))
  return known
}

/** Whether the code unit is a lower-case letter (any script with case). */
export function isLowerCase(c: i32): bool {
  if (c < 0x80) return c >= 0x61 && c <= 0x7a
  if (c >= 0xd800 && c <= 0xdfff) return false
  return caseOf(c) == CASE_LOWER
}

/** Whether the code unit is an upper-case letter (any script with case). */
export function isUpperCase(c: i32): bool {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a
  if (c >= 0xd800 && c <= 0xdfff) return false
  return caseOf(c) == CASE_UPPER
}
