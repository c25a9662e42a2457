/**
 * Sentence splitting that survives abbreviations (Dr., e.g., U.S.), initials
 * (J. R. R. Tolkien), decimals (3.14, $1.5m), ellipses and quotes. A blank line
 * always ends a sentence, so headings without punctuation stand alone.
 */
import {
  isAsciiDigit,
  isCjkTerminator,
  isCloser,
  isLowerCase,
  isNewline,
  isOpener,
  isSpace,
  isTerminator,
  isUpperCase,
  isWordChar,
} from './chars'
import { lowerInScratch, scratchPointer } from './lower-case'
// AssemblyScript parses no type-only imports.
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
import { Text } from './text'
import { WordTable } from './word-table'

/**
 * The sentences of a text, each a half-open range of it. One array holds both
 * ends of each, so it is the only thing that grows while the text is split.
 */
export class Spans {
  private bounds: Array<i32> = []

  get length(): i32 {
    return this.bounds.length >> 1
  }

  start(i: i32): i32 {
    return this.bounds[i << 1]
  }

  end(i: i32): i32 {
    return this.bounds[(i << 1) + 1]
  }

  push(start: i32, end: i32): void {
    this.bounds.push(start)
    this.bounds.push(end)
  }
}

// Abbreviations that are never the end of a sentence: titles precede a name, Latin
// and dotted forms sit mid-sentence. Compared lower-cased, without the final dot.
const ABBREVIATIONS = `
mr mrs ms mx dr prof sr jr st mt rev hon gen col capt cpt lt sgt cmdr adm gov sen rep pres
fr supt messrs e.g i.e eg ie vs cf viz al approx ca dept est ph.d m.d b.a m.a b.sc m.sc u.s
u.k u.n u.s.a e.u
`
// Abbreviations that only hold before a number (`No. 5`, `p. 12`, `Jan. 3`), since the
// same words also end sentences (`I said no.`).
const NUMBER_ABBREVIATIONS = `
no nos nr vol vols p pp fig figs ch chap sec art ed jan feb mar apr jun jul aug sep sept oct
nov dec
`

/** Both lists, the second numbered from {@link NUMBER_ABBREVIATIONS_FROM}. */
const ABBREVIATION_TABLE = new WordTable(8)
const NUMBER_ABBREVIATIONS_FROM = ABBREVIATION_TABLE.addAll(ABBREVIATIONS)
ABBREVIATION_TABLE.addAll(NUMBER_ABBREVIATIONS)

/** Where the word that ends at `end` (exclusive) starts, past leading quotes or brackets. */
function wordStart(text: Text, end: i32): i32 {
  let start = end
  while (start > 0 && !isSpace(text.at(start - 1))) start--
  while (start < end && isOpener(text.at(start))) start++
  return start
}

/** `J`, `U.S`, `e.g`: single letters joined by dots are initials or short forms. */
function isInitials(text: Text, start: i32, end: i32): bool {
  const length = end - start
  if (length == 0) return false
  for (let i = 0; i < length; i++) {
    const c = text.at(start + i)
    const letterSlot = i % 2 == 0
    if (letterSlot && !isWordChar(c)) return false
    if (!letterSlot && c != 0x2e) return false
  }
  if (length % 2 == 0) return false
  // A lone capital is an initial (`John F. Kennedy`), except the pronoun `I`.
  if (length == 1) return isUpperCase(text.at(start)) && text.at(start) != 0x49
  return true
}

/** Whether the lower-cased word is `a.m` or `p.m` (times, which do end sentences). */
function isTimeOfDay(word: usize, length: i32): bool {
  if (length != 3) return false
  const first = load<u16>(word)
  return (
    (first == 0x61 || first == 0x70) && load<u16>(word, 2) == 0x2e && load<u16>(word, 4) == 0x6d
  )
}

/** Whether the single dot at `dot`, followed by text from `next`, belongs to an abbreviation. */
function isAbbreviationDot(text: Text, dot: i32, next: i32): bool {
  const start = wordStart(text, dot)
  const length = lowerInScratch(text, start, dot)
  const lower = scratchPointer()
  if (isTimeOfDay(lower, length)) return false
  const abbreviation = ABBREVIATION_TABLE.find(lower, length)
  if (
    (abbreviation >= 0 && abbreviation < NUMBER_ABBREVIATIONS_FROM) ||
    isInitials(text, start, dot)
  ) {
    return true
  }
  return (
    next < text.length && abbreviation >= NUMBER_ABBREVIATIONS_FROM && isAsciiDigit(text.at(next))
  )
}

function hasWordChar(text: Text, start: i32, end: i32): bool {
  for (let i = start; i < end; i++) if (isWordChar(text.at(i))) return true
  return false
}

class Splitter {
  spans: Spans = new Spans()
  start: i32 = 0
  requireWord: bool = true
  constructor(public text: Text) {}

  push(end: i32): void {
    let s = this.start
    let e = end
    while (s < e && isSpace(this.text.at(s))) s++
    while (e > s && isSpace(this.text.at(e - 1))) e--
    if (e > s && (!this.requireWord || hasWordChar(this.text, s, e))) {
      this.spans.push(s, e)
    }
  }

  /** Handles white space at `i`; returns where scanning continues. */
  space(i: i32): i32 {
    const text = this.text
    let j = i
    let newlines = 0
    while (j < text.length && isSpace(text.at(j))) {
      const c = text.at(j)
      // CR LF counts once.
      if (isNewline(c) && !(c == 0x0a && j > 0 && text.at(j - 1) == 0x0d)) newlines++
      j++
    }
    if (newlines >= 2) {
      this.push(i)
      this.start = j
    }
    return j
  }

  /** Handles a run of terminators at `i`; returns where scanning continues. */
  terminator(i: i32): i32 {
    const text = this.text
    const n = text.length
    let j = i
    while (j < n && isTerminator(text.at(j))) j++
    const runLength = j - i
    while (j < n && isCloser(text.at(j))) j++
    if (isCjkTerminator(text.at(j - 1)) || isCjkTerminator(text.at(i))) {
      this.push(j)
      this.start = j
      return j
    }
    // `3.14`, `e.g` inside a word, `example.com`: no space after the dot, no boundary.
    if (j < n && !isSpace(text.at(j))) return j
    let next = j
    while (next < n && isSpace(text.at(next))) next++
    if (runLength == 1 && text.at(i) == 0x2e && isAbbreviationDot(text, i, next)) return j
    // A lower-case continuation (`“Stop!” she said`, `wait... what`) is the same sentence.
    if (next < n && isLowerCase(text.at(next))) return j
    this.push(j)
    this.start = j
    return j
  }
}

/** An ASCII unit that is neither white space nor a control character. */
function isPlainAscii(c: i32): bool {
  return c > 0x20 && c < 0x7f
}

/**
 * Splits `text` into sentences, in order. Spans without any letter or digit are dropped,
 * unless nothing else is left.
 */
export function splitSentences(text: Text): Spans {
  const splitter = new Splitter(text)
  let i = 0
  while (i < text.length) {
    const c = text.at(i)
    // Most units are ASCII that is neither white space nor a terminator, or a single space.
    if (c > 0x21 && c < 0x80 && c != 0x2e && c != 0x3f) {
      i++
      continue
    }
    if (c == 0x20 && i + 1 < text.length && isPlainAscii(text.at(i + 1))) {
      i++
      continue
    }
    if (isSpace(c)) i = splitter.space(i)
    else if (isTerminator(c)) i = splitter.terminator(i)
    else i++
  }
  splitter.push(text.length)
  // Punctuation or symbols alone still make one sentence: any non-blank text has a summary.
  if (splitter.spans.length == 0) {
    splitter.start = 0
    splitter.requireWord = false
    splitter.push(text.length)
  }
  return splitter.spans
}
