/**
 * Lines of OCR text and labels found in them. OCR spacing is unreliable, so a
 * space in a label matches any run (even none) of spaces, dashes, dots and
 * underscores: `sub total` finds `Subtotal`, `Sub-Total` and `SUB TOTAL`.
 */

export function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39
}

export function isAsciiLetter(c: i32): bool {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
}

/** A letter of any script (ASCII letters, and everything non-ASCII that is not punctuation). */
export function isLetter(c: i32): bool {
  if (c < 0x80) return isAsciiLetter(c)
  return !(c <= 0xbf || (c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f))
}

export function isSpace(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0xa0 || c == 0x202f || c == 0x0d || c == 0x0c
}

/** The code unit at `i`, or -1 outside the string. */
export function at(s: string, i: i32): i32 {
  return i >= 0 && i < s.length ? s.charCodeAt(i) : -1
}

/** ASCII upper case folded to lower case; every other code unit kept, so offsets stay. */
export function asciiLower(s: string): string {
  const units = new Array<string>(s.length)
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    units[i] = String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c)
  }
  return units.join('')
}

function isLabelGap(c: i32): bool {
  return isSpace(c) || c == 0x2d || c == 0x2e || c == 0x5f
}

/** The non-blank lines of `text`, trimmed, in order. */
export function splitLines(text: string): string[] {
  const raw = text.split('\n')
  const lines = new Array<string>()
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i].trim()
    if (line.length > 0) lines.push(line)
  }
  return lines
}

/** A label found in a line: where it starts and where the text after it starts. */
export class LabelMatch {
  constructor(
    public start: i32,
    public valueStart: i32,
  ) {}
}

/** Where `label` (lower case) matches `lower` at `start`, or -1. */
function matchAt(lower: string, label: string, start: i32): i32 {
  let i = start
  for (let k = 0; k < label.length; k++) {
    const want = label.charCodeAt(k)
    if (want == 0x20) {
      while (isLabelGap(at(lower, i))) i++
      continue
    }
    if (at(lower, i) != want) return -1
    i++
  }
  return i
}

/** The first match of `label` in `lower` from `from` on, at word boundaries at both ends. */
export function findLabel(lower: string, label: string, from: i32): LabelMatch | null {
  for (let start = from; start < lower.length; start++) {
    if (start > 0 && isLetter(at(lower, start - 1))) continue
    const end = matchAt(lower, label, start)
    if (end < 0) continue
    const last = label.charCodeAt(label.length - 1)
    if (isLetter(last) && isLetter(at(lower, end))) continue
    return new LabelMatch(start, skipSeparators(lower, end))
  }
  return null
}

/** Skips what OCR puts between a label and its value: spaces, `:`, `;`, `.`, `#`, `|`, `=`. */
export function skipSeparators(s: string, from: i32): i32 {
  let i = from
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (isSpace(c) || c == 0x3a || c == 0x3b || c == 0x2e || c == 0x23 || c == 0x7c || c == 0x3d)
      i++
    else if (c == 0x2c && !isDigit(at(s, i + 1))) i++
    else break
  }
  return i
}

/** The word that ends just before `index` (lower case), or ''. */
export function wordBefore(lower: string, index: i32): string {
  let end = index
  while (end > 0 && !isLetter(at(lower, end - 1))) {
    if (at(lower, end - 1) == 0x0a) return ''
    end--
  }
  let start = end
  while (start > 0 && isLetter(at(lower, start - 1))) start--
  return lower.substring(start, end)
}

/** The first word at or after `index` (lower case), or ''. */
export function wordAfter(lower: string, index: i32): string {
  let start = index
  while (start < lower.length && !isLetter(at(lower, start))) {
    if (isDigit(at(lower, start))) return ''
    start++
  }
  let end = start
  while (end < lower.length && isLetter(at(lower, end))) end++
  return lower.substring(start, end)
}
