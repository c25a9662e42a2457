/**
 * Personal names from a list (`data/names.txt`: one given name or surname per
 * line, `#` starts a comment). A word matches when it is on the list, compared
 * without case, and starts with a capital letter, so `Mark Rose` is redacted
 * and `mark the rose` is not. Adjacent listed words separated by one space
 * (`Maria Garcia`) become one span.
 */
import { at, isWordChar } from './chars'
// eslint-disable-next-line @typescript-eslint/consistent-type-imports -- AssemblyScript has no `import type`
import { Claims } from './spans'

/** The list, lower-cased. */
export class NameList {
  private names: Set<string> = new Set<string>()

  constructor(source: string) {
    const lines = source.split('\n')
    for (let k = 0; k < lines.length; k++) {
      let line = lines[k]
      const hash = line.indexOf('#')
      if (hash >= 0) line = line.substring(0, hash)
      line = line.trim()
      if (line.length > 0) this.names.add(line.toLowerCase())
    }
  }

  get size(): i32 {
    return this.names.size
  }

  has(word: string): bool {
    return this.names.has(word.toLowerCase())
  }
}

function isUpperCaseLetter(c: i32): bool {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a
  if (c >= 0xd800 && c <= 0xdfff) return false
  const ch = String.fromCharCode(c)
  return ch.toLowerCase() != ch && ch.toUpperCase() == ch
}

/** An apostrophe or hyphen inside a name (`O'Brien`, `Jean-Luc`). */
function isInnerJoiner(c: i32): bool {
  return c == 0x27 || c == 0x2019 || c == 0x2d
}

/** The end of the word starting at `start`. */
function wordEnd(text: string, start: i32): i32 {
  let i = start
  while (i < text.length) {
    const c = at(text, i)
    if (isWordChar(c)) i++
    else if (isInnerJoiner(c) && isWordChar(at(text, i + 1))) i++
    else break
  }
  return i
}

/** Where the listed name in the word `[start, wordEnd)` ends (a possessive `'s` left out), or -1. */
function nameEnd(text: string, list: NameList, start: i32, wordEnd: i32): i32 {
  if (!isUpperCaseLetter(at(text, start))) return -1
  if (list.has(text.substring(start, wordEnd))) return wordEnd
  const possessive = wordEnd - start > 2 && at(text, wordEnd - 1) == 0x73
  if (possessive && isInnerJoiner(at(text, wordEnd - 2)) && at(text, wordEnd - 2) != 0x2d) {
    if (list.has(text.substring(start, wordEnd - 2))) return wordEnd - 2
  }
  return -1
}

export function findNames(text: string, list: NameList, claims: Claims): void {
  const n = text.length
  let spanStart = -1
  let spanEnd = -1
  let i = 0
  while (i < n) {
    if (!isWordChar(at(text, i))) {
      i++
      continue
    }
    const end = nameEnd(text, list, i, wordEnd(text, i))
    const listed = end > 0
    if (listed && spanEnd == i - 1 && at(text, spanEnd) == 0x20) {
      spanEnd = end
    } else {
      if (spanStart >= 0) claims.claim(spanStart, spanEnd, 'name')
      spanStart = listed ? i : -1
      spanEnd = listed ? end : -1
    }
    i = wordEnd(text, i)
  }
  if (spanStart >= 0) claims.claim(spanStart, spanEnd, 'name')
}
