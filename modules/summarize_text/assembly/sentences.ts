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

/** One sentence as a half-open range of the original text. */
export class Span {
  constructor(
    public start: i32,
    public end: i32,
  ) {}
}

// Abbreviations that are never the end of a sentence: titles precede a name, Latin
// and dotted forms sit mid-sentence. Compared lower-cased, without the final dot.
const ABBREVIATIONS = new Set<string>()
// Abbreviations that only hold before a number (`No. 5`, `p. 12`, `Jan. 3`), since the
// same words also end sentences (`I said no.`).
const NUMBER_ABBREVIATIONS = new Set<string>()

function fillSets(): void {
  const always = [
    'mr',
    'mrs',
    'ms',
    'mx',
    'dr',
    'prof',
    'sr',
    'jr',
    'st',
    'mt',
    'rev',
    'hon',
    'gen',
    'col',
    'capt',
    'cpt',
    'lt',
    'sgt',
    'cmdr',
    'adm',
    'gov',
    'sen',
    'rep',
    'pres',
    'fr',
    'supt',
    'messrs',
    'e.g',
    'i.e',
    'eg',
    'ie',
    'vs',
    'cf',
    'viz',
    'al',
    'approx',
    'ca',
    'dept',
    'est',
    'ph.d',
    'm.d',
    'b.a',
    'm.a',
    'b.sc',
    'm.sc',
    'u.s',
    'u.k',
    'u.n',
    'u.s.a',
    'e.u',
  ]
  for (let i = 0; i < always.length; i++) ABBREVIATIONS.add(always[i])
  const beforeNumber = [
    'no',
    'nos',
    'nr',
    'vol',
    'vols',
    'p',
    'pp',
    'fig',
    'figs',
    'ch',
    'chap',
    'sec',
    'art',
    'ed',
    'jan',
    'feb',
    'mar',
    'apr',
    'jun',
    'jul',
    'aug',
    'sep',
    'sept',
    'oct',
    'nov',
    'dec',
  ]
  for (let i = 0; i < beforeNumber.length; i++) NUMBER_ABBREVIATIONS.add(beforeNumber[i])
}
fillSets()

/** The word that ends at `end` (exclusive), without leading quotes or brackets. */
function wordBefore(text: string, end: i32): string {
  let start = end
  while (start > 0 && !isSpace(text.charCodeAt(start - 1))) start--
  while (start < end && isOpener(text.charCodeAt(start))) start++
  return text.substring(start, end)
}

/** `J`, `U.S`, `e.g`: single letters joined by dots are initials or short forms. */
function isInitials(word: string): bool {
  if (word.length == 0) return false
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i)
    const letterSlot = i % 2 == 0
    if (letterSlot && !isWordChar(c)) return false
    if (!letterSlot && c != 0x2e) return false
  }
  if (word.length % 2 == 0) return false
  // A lone capital is an initial (`John F. Kennedy`), except the pronoun `I`.
  if (word.length == 1) return isUpperCase(word.charCodeAt(0)) && word != 'I'
  return true
}

/** Whether the single dot at `dot`, followed by text from `next`, belongs to an abbreviation. */
function isAbbreviationDot(text: string, dot: i32, next: i32): bool {
  const word = wordBefore(text, dot)
  const lower = word.toLowerCase()
  if (lower == 'a.m' || lower == 'p.m') return false
  if (ABBREVIATIONS.has(lower) || isInitials(word)) return true
  return (
    next < text.length && NUMBER_ABBREVIATIONS.has(lower) && isAsciiDigit(text.charCodeAt(next))
  )
}

function hasWordChar(text: string, start: i32, end: i32): bool {
  for (let i = start; i < end; i++) if (isWordChar(text.charCodeAt(i))) return true
  return false
}

class Splitter {
  spans: Span[] = []
  start: i32 = 0
  requireWord: bool = true
  constructor(public text: string) {}

  push(end: i32): void {
    let s = this.start
    let e = end
    while (s < e && isSpace(this.text.charCodeAt(s))) s++
    while (e > s && isSpace(this.text.charCodeAt(e - 1))) e--
    if (e > s && (!this.requireWord || hasWordChar(this.text, s, e)))
      this.spans.push(new Span(s, e))
  }

  /** Handles white space at `i`; returns where scanning continues. */
  space(i: i32): i32 {
    const text = this.text
    let j = i
    let newlines = 0
    while (j < text.length && isSpace(text.charCodeAt(j))) {
      const c = text.charCodeAt(j)
      // CR LF counts once.
      if (isNewline(c) && !(c == 0x0a && j > 0 && text.charCodeAt(j - 1) == 0x0d)) newlines++
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
    while (j < n && isTerminator(text.charCodeAt(j))) j++
    const runLength = j - i
    while (j < n && isCloser(text.charCodeAt(j))) j++
    if (isCjkTerminator(text.charCodeAt(j - 1)) || isCjkTerminator(text.charCodeAt(i))) {
      this.push(j)
      this.start = j
      return j
    }
    // `3.14`, `e.g` inside a word, `example.com`: no space after the dot, no boundary.
    if (j < n && !isSpace(text.charCodeAt(j))) return j
    let next = j
    while (next < n && isSpace(text.charCodeAt(next))) next++
    if (runLength == 1 && text.charCodeAt(i) == 0x2e && isAbbreviationDot(text, i, next)) return j
    // A lower-case continuation (`“Stop!” she said`, `wait... what`) is the same sentence.
    if (next < n && isLowerCase(text.charCodeAt(next))) return j
    this.push(j)
    this.start = j
    return j
  }
}

/**
 * Splits `text` into sentences, in order. Spans without any letter or digit are dropped,
 * unless nothing else is left.
 */
export function splitSentences(text: string): Span[] {
  const splitter = new Splitter(text)
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
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
