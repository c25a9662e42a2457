/**
 * Content terms of a sentence: words lower-cased, English stop words removed, a
 * light suffix stemming so `model` and `models` count together. Han and kana
 * characters are single-character terms, since those scripts have no spaces.
 * Terms are numbered, not made into strings: one table holds the stop words and
 * every term met, so a word costs a lower-casing into scratch and two look-ups.
 */
import { isAsciiAlphanumeric, isCjkIdeograph, isWordChar } from './chars'
import { lowerInScratch, scratchPointer } from './lower-case'
// AssemblyScript parses no type-only imports.
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
import { Text } from './text'
import { WordTable } from './word-table'

// English stop words, lower-cased, separated by white space.
const STOP_WORDS = `
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how however i if in
into is it its itself just may me might more most much must my myself no nor not now of off
on once one only or other our ours ourselves out over own same shall she should so some such
than that the their theirs them themselves then there these they this those through thus to
too under until up upon us very was we were what when where which while who whom whose why
will with would yet you your yours yourself said says say many every still even well like
get got new don't doesn't didn't isn't aren't wasn't weren't can't won't i'm i've i'd we're
we've they're they've you're you've let's
`

/** The stop words, then every term met; ids below {@link STOP_WORD_COUNT} are stop words. */
const WORDS = new WordTable(10)
const STOP_WORD_COUNT = WORDS.addAll(STOP_WORDS)

const APOSTROPHE: u16 = 0x27
const S: u16 = 0x73

function unitAt(ptr: usize, i: i32): u16 {
  return load<u16>(ptr + ((<usize>i) << 1))
}

function endsWithS(ptr: usize, length: i32, before: u16): bool {
  return unitAt(ptr, length - 1) == S && unitAt(ptr, length - 2) == before
}

/**
 * Folds plural and possessive endings in place (`models` → `model`, `studies` →
 * `study`); returns the new length.
 */
function stem(ptr: usize, n: i32): i32 {
  let m = n
  if (n > 2 && endsWithS(ptr, n, APOSTROPHE)) m = n - 2
  if (
    m > 4 &&
    unitAt(ptr, m - 1) == S &&
    unitAt(ptr, m - 2) == 0x65 &&
    unitAt(ptr, m - 3) == 0x69
  ) {
    store<u16>(ptr + ((<usize>(m - 3)) << 1), 0x79)
    return m - 2
  }
  if (
    m > 3 &&
    unitAt(ptr, m - 1) == S &&
    !endsWithS(ptr, m, S) &&
    !endsWithS(ptr, m, 0x75) &&
    !endsWithS(ptr, m, 0x69)
  ) {
    return m - 1
  }
  return m
}

function isApostrophe(c: i32): bool {
  return c == 0x27 || c == 0x2019
}

/**
 * The term of the word `text[start, end)`, or -1 when it is none (a single
 * non-CJK character, or a stop word before or after stemming).
 */
function termOf(text: Text, start: i32, end: i32): i32 {
  if (end - start == 1 && !isCjkIdeograph(text.at(start))) return -1
  const length = lowerInScratch(text, start, end)
  const word = scratchPointer()
  for (let i = 0; i < length; i++) {
    if (unitAt(word, i) == 0x2019) store<u16>(word + ((<usize>i) << 1), APOSTROPHE)
  }
  const whole = WORDS.find(word, length)
  if (whole >= 0 && whole < STOP_WORD_COUNT) return -1
  const stemmed = stem(word, length)
  // Unstemmed (only `ies` rewrites a unit, and it shortens the word): the word is its own term.
  if (stemmed == length && whole >= 0) return whole
  const id = WORDS.intern(word, stemmed)
  return id < STOP_WORD_COUNT ? -1 : id
}

/** The terms of a text, numbered from 0, as the sentences list them. */
export class Terms {
  /** The term ids of every sentence, in order, repeats kept. */
  ids: Array<i32> = []
  /** Sentence `i`'s terms are `ids[sentenceStarts[i], sentenceStarts[i + 1])`. */
  sentenceStarts: StaticArray<i32>
  private sentences: i32 = 0

  constructor(sentenceCount: i32) {
    this.sentenceStarts = new StaticArray<i32>(sentenceCount + 1)
  }

  /** How many distinct terms there can be: ids are below this. */
  get idLimit(): i32 {
    return WORDS.count - STOP_WORD_COUNT
  }

  /** Appends the content terms of `text[start, end)` as the next sentence. */
  addSentence(text: Text, start: i32, end: i32): void {
    let i = start
    while (i < end) {
      const c = text.at(i)
      if (isCjkIdeograph(c)) {
        this.push(termOf(text, i, i + 1))
        i++
        continue
      }
      if (!isWordChar(c)) {
        i++
        continue
      }
      const wordStart = i
      while (i < end) {
        const d = text.at(i)
        if (isAsciiAlphanumeric(d)) {
          i++
          continue
        }
        if (isCjkIdeograph(d)) break
        // An apostrophe between letters stays inside the word (`don't`, `model's`).
        const inner = isApostrophe(d) && i + 1 < end && isWordChar(text.at(i + 1))
        if (!isWordChar(d) && !inner) break
        i++
      }
      this.push(termOf(text, wordStart, i))
    }
    this.sentences++
    this.sentenceStarts[this.sentences] = this.ids.length
  }

  private push(id: i32): void {
    if (id >= 0) this.ids.push(id - STOP_WORD_COUNT)
  }
}
