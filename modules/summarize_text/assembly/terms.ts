/**
 * Content terms of a sentence: words lower-cased, English stop words removed, a
 * light suffix stemming so `model` and `models` count together. Han and kana
 * characters are single-character terms, since those scripts have no spaces.
 */
import { isCjkIdeograph, isWordChar } from './chars'

const STOP_WORDS = new Set<string>()

function fillStopWords(): void {
  const words = [
    'a',
    'about',
    'above',
    'after',
    'again',
    'against',
    'all',
    'also',
    'am',
    'an',
    'and',
    'any',
    'are',
    'as',
    'at',
    'be',
    'because',
    'been',
    'before',
    'being',
    'below',
    'between',
    'both',
    'but',
    'by',
    'can',
    'could',
    'did',
    'do',
    'does',
    'doing',
    'down',
    'during',
    'each',
    'few',
    'for',
    'from',
    'further',
    'had',
    'has',
    'have',
    'having',
    'he',
    'her',
    'here',
    'hers',
    'herself',
    'him',
    'himself',
    'his',
    'how',
    'however',
    'i',
    'if',
    'in',
    'into',
    'is',
    'it',
    'its',
    'itself',
    'just',
    'may',
    'me',
    'might',
    'more',
    'most',
    'much',
    'must',
    'my',
    'myself',
    'no',
    'nor',
    'not',
    'now',
    'of',
    'off',
    'on',
    'once',
    'one',
    'only',
    'or',
    'other',
    'our',
    'ours',
    'ourselves',
    'out',
    'over',
    'own',
    'same',
    'shall',
    'she',
    'should',
    'so',
    'some',
    'such',
    'than',
    'that',
    'the',
    'their',
    'theirs',
    'them',
    'themselves',
    'then',
    'there',
    'these',
    'they',
    'this',
    'those',
    'through',
    'thus',
    'to',
    'too',
    'under',
    'until',
    'up',
    'upon',
    'us',
    'very',
    'was',
    'we',
    'were',
    'what',
    'when',
    'where',
    'which',
    'while',
    'who',
    'whom',
    'whose',
    'why',
    'will',
    'with',
    'would',
    'yet',
    'you',
    'your',
    'yours',
    'yourself',
    'said',
    'says',
    'say',
    'many',
    'every',
    'still',
    'even',
    'well',
    'like',
    'get',
    'got',
    'new',
    "don't",
    "doesn't",
    "didn't",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "can't",
    "won't",
    "i'm",
    "i've",
    "i'd",
    "we're",
    "we've",
    "they're",
    "they've",
    "you're",
    "you've",
    "let's",
  ]
  for (let i = 0; i < words.length; i++) STOP_WORDS.add(words[i])
}
fillStopWords()

/** Folds plural and possessive endings: `models` → `model`, `studies` → `study`. */
function stem(word: string): string {
  let w = word
  const n = w.length
  if (n > 2 && w.endsWith("'s")) w = w.substring(0, n - 2)
  const m = w.length
  if (m > 4 && w.endsWith('ies')) return w.substring(0, m - 3) + 'y'
  if (m > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) {
    return w.substring(0, m - 1)
  }
  return w
}

function isApostrophe(c: i32): bool {
  return c == 0x27 || c == 0x2019
}

function addTerm(terms: string[], raw: string): void {
  if (raw.length == 1 && !isCjkIdeograph(raw.charCodeAt(0))) return
  const word = raw.toLowerCase().replaceAll('\u2019', "'")
  if (STOP_WORDS.has(word)) return
  const stemmed = stem(word)
  if (!STOP_WORDS.has(stemmed)) terms.push(stemmed)
}

/** The content terms of `text[start, end)`, in order, repeats kept. */
export function contentTerms(text: string, start: i32, end: i32): string[] {
  const terms = new Array<string>()
  let i = start
  while (i < end) {
    const c = text.charCodeAt(i)
    if (isCjkIdeograph(c)) {
      addTerm(terms, text.charAt(i))
      i++
      continue
    }
    if (!isWordChar(c)) {
      i++
      continue
    }
    const wordStart = i
    while (i < end) {
      const d = text.charCodeAt(i)
      if (isCjkIdeograph(d)) break
      // An apostrophe between letters stays inside the word (`don't`, `model's`).
      const inner = isApostrophe(d) && i + 1 < end && isWordChar(text.charCodeAt(i + 1))
      if (!isWordChar(d) && !inner) break
      i++
    }
    addTerm(terms, text.substring(wordStart, i))
  }
  return terms
}
