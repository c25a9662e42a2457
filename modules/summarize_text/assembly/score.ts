/**
 * Extractive scoring and selection. A sentence scores the summed document
 * frequency of its distinct content terms (normalised by the most frequent term),
 * divided by the square root of its term count so long sentences do not win by
 * length alone; very short fragments are damped and early sentences get a small
 * position bonus (the lead of a text tends to state its topic). The best
 * sentences are then taken in score order, ties to the earlier one, within
 * `maxSentences` and `maxChars`, and returned in the text's order. Everything is
 * integer or IEEE arithmetic in a fixed order, so the result is deterministic.
 */
import { isSpace } from './chars'
// AssemblyScript parses no type-only imports.
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
import { Spans, splitSentences } from './sentences'
import { Terms } from './terms'
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
import { Text } from './text'

/**
 * The chosen sentences, ascending. The summary is those sentences with white
 * space collapsed, joined by single spaces, unless `cut` holds it: the best
 * sentence cut to `maxChars` when no whole sentence fits.
 */
export class Summary {
  constructor(
    public spans: Spans,
    public indices: i32[],
    public cut: string | null,
  ) {}
}

/** One score per sentence, in the sentences' order. */
export function scoreSentences(text: Text, spans: Spans): StaticArray<f64> {
  const terms = new Terms(spans.length)
  for (let i = 0; i < spans.length; i++) {
    terms.addSentence(text, spans.start(i), spans.end(i))
  }
  const ids = terms.ids
  const frequency = new StaticArray<i32>(terms.idLimit)
  let maxFrequency = 1
  for (let t = 0; t < ids.length; t++) {
    const id = unchecked(ids[t])
    const count = unchecked(frequency[id]) + 1
    unchecked((frequency[id] = count))
    if (count > maxFrequency) maxFrequency = count
  }
  // lastSentence[id] is 1 + the last sentence that counted term `id`: the distinct terms.
  const lastSentence = new StaticArray<i32>(terms.idLimit)
  const scores = new StaticArray<f64>(spans.length)
  const total = <f64>spans.length
  for (let i = 0; i < spans.length; i++) {
    const first = unchecked(terms.sentenceStarts[i])
    const count = unchecked(terms.sentenceStarts[i + 1]) - first
    let sum: f64 = 0
    for (let t = first; t < first + count; t++) {
      const id = unchecked(ids[t])
      if (unchecked(lastSentence[id]) == i + 1) continue
      unchecked((lastSentence[id] = i + 1))
      sum += <f64>unchecked(frequency[id]) / <f64>maxFrequency
    }
    let score = count == 0 ? 0 : sum / Math.sqrt(<f64>count)
    if (count < 3) score *= 0.5
    score *= 1 + 0.15 * (1 - <f64>i / total)
    if (i == 0) score *= 1.15
    unchecked((scores[i] = score))
  }
  return scores
}

/** The sentence with white-space runs collapsed to single spaces. */
function sentenceText(text: Text, start: i32, end: i32): string {
  const parts = new Array<string>()
  let runStart = start
  let i = start
  while (i < end) {
    if (!isSpace(text.at(i))) {
      i++
      continue
    }
    parts.push(text.slice(runStart, i))
    while (i < end && isSpace(text.at(i))) i++
    runStart = i
  }
  parts.push(text.slice(runStart, end))
  return parts.join(' ')
}

/**
 * The length in code points of `text[start, end)` with white-space runs
 * collapsed, as `codePointLength(sentenceText(...))` would count it, without
 * making the string. A surrogate pair never spans white space, so the pairs are
 * those of the original range.
 */
function collapsedLength(text: Text, start: i32, end: i32): i32 {
  let count = 0
  let i = start
  while (i < end) {
    const c = text.at(i)
    if (isSpace(c)) {
      count++
      i++
      while (i < end && isSpace(text.at(i))) i++
      continue
    }
    if (!(isLowSurrogate(c) && i > start && isHighSurrogate(text.at(i - 1)))) count++
    i++
  }
  return count
}

function isHighSurrogate(c: i32): bool {
  return c >= 0xd800 && c <= 0xdbff
}

function isLowSurrogate(c: i32): bool {
  return c >= 0xdc00 && c <= 0xdfff
}

/** Length in Unicode code points (a surrogate pair counts once). */
export function codePointLength(s: string): i32 {
  let count = s.length
  for (let i = 1; i < s.length; i++) {
    if (isLowSurrogate(s.charCodeAt(i)) && isHighSurrogate(s.charCodeAt(i - 1))) count--
  }
  return count
}

/** The first `limit` code points of `s`, as a code-unit offset. */
function codePointOffset(s: string, limit: i32): i32 {
  let offset = 0
  for (let n = 0; n < limit && offset < s.length; n++) {
    const pair = isHighSurrogate(s.charCodeAt(offset)) && offset + 1 < s.length
    offset += pair && isLowSurrogate(s.charCodeAt(offset + 1)) ? 2 : 1
  }
  return offset
}

/** Cuts `s` to at most `maxChars` code points, at a word boundary when one is near, with `…`. */
export function truncate(s: string, maxChars: i32): string {
  if (codePointLength(s) <= maxChars) return s
  const budget = maxChars - 1
  let end = codePointOffset(s, budget)
  let space = end
  while (space > 0 && s.charCodeAt(space) != 0x20) space--
  if (space > end / 2) end = space
  let cut = s.substring(0, end)
  while (cut.length > 0 && ' ,;:'.includes(cut.charAt(cut.length - 1))) {
    cut = cut.substring(0, cut.length - 1)
  }
  return cut + '\u2026'
}

// The scores `byScoreThenIndex` orders by (a comparator cannot capture them).
let rankScores = new StaticArray<f64>(0)

function byScoreThenIndex(a: i32, b: i32): i32 {
  const scoreA = unchecked(rankScores[a])
  const scoreB = unchecked(rankScores[b])
  if (scoreA > scoreB) return -1
  if (scoreA < scoreB) return 1
  return a - b
}

function ascending(a: i32, b: i32): i32 {
  return a - b
}

/** Sentence indices, best first (ties to the earlier sentence). */
function rank(scores: StaticArray<f64>): i32[] {
  const ranked = new Array<i32>(scores.length)
  for (let i = 0; i < scores.length; i++) unchecked((ranked[i] = i))
  rankScores = scores
  ranked.sort(byScoreThenIndex)
  return ranked
}

/**
 * Summarises `text` in at most `maxSentences` sentences and, when `maxChars` > 0, at
 * most `maxChars` code points. Returns null when the text has no sentence.
 */
export function summarize(text: Text, maxSentences: i32, maxChars: i32): Summary | null {
  const spans = splitSentences(text)
  if (spans.length == 0) return null
  const ranked = rank(scoreSentences(text, spans))
  const chosen = new Array<i32>()
  let used = 0
  for (let r = 0; r < ranked.length && chosen.length < maxSentences; r++) {
    const index = unchecked(ranked[r])
    const length = collapsedLength(text, spans.start(index), spans.end(index))
    const separator = chosen.length > 0 ? 1 : 0
    if (maxChars > 0 && used + separator + length > maxChars) continue
    chosen.push(index)
    used += separator + length
  }
  if (chosen.length == 0) {
    const best = ranked[0]
    const sentence = sentenceText(text, spans.start(best), spans.end(best))
    return new Summary(spans, [best], truncate(sentence, maxChars))
  }
  chosen.sort(ascending)
  return new Summary(spans, chosen, null)
}
