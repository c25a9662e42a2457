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
import { Span, splitSentences } from './sentences'
import { contentTerms } from './terms'

/** The summary and the indices of its sentences, ascending. */
export class Summary {
  constructor(
    public text: string,
    public indices: i32[],
  ) {}
}

class Ranked {
  constructor(
    public index: i32,
    public score: f64,
  ) {}
}

function byScoreThenIndex(a: Ranked, b: Ranked): i32 {
  if (a.score > b.score) return -1
  if (a.score < b.score) return 1
  return a.index - b.index
}

function ascending(a: i32, b: i32): i32 {
  return a - b
}

/** One score per sentence, in the sentences' order. */
export function scoreSentences(text: string, spans: Span[]): f64[] {
  const termsBySentence = new Array<string[]>(spans.length)
  const frequency = new Map<string, i32>()
  let maxFrequency = 1
  for (let i = 0; i < spans.length; i++) {
    const terms = contentTerms(text, spans[i].start, spans[i].end)
    termsBySentence[i] = terms
    for (let t = 0; t < terms.length; t++) {
      const count = (frequency.has(terms[t]) ? frequency.get(terms[t]) : 0) + 1
      frequency.set(terms[t], count)
      if (count > maxFrequency) maxFrequency = count
    }
  }
  const scores = new Array<f64>(spans.length)
  const total = <f64>spans.length
  for (let i = 0; i < spans.length; i++) {
    const terms = termsBySentence[i]
    const seen = new Set<string>()
    let sum: f64 = 0
    for (let t = 0; t < terms.length; t++) {
      if (seen.has(terms[t])) continue
      seen.add(terms[t])
      sum += <f64>frequency.get(terms[t]) / <f64>maxFrequency
    }
    let score = terms.length == 0 ? 0 : sum / Math.sqrt(<f64>terms.length)
    if (terms.length < 3) score *= 0.5
    score *= 1 + 0.15 * (1 - <f64>i / total)
    if (i == 0) score *= 1.15
    scores[i] = score
  }
  return scores
}

/** The sentence with white-space runs collapsed to single spaces. */
function sentenceText(text: string, span: Span): string {
  const parts = new Array<string>()
  let runStart = span.start
  let i = span.start
  while (i < span.end) {
    if (!isSpace(text.charCodeAt(i))) {
      i++
      continue
    }
    parts.push(text.substring(runStart, i))
    while (i < span.end && isSpace(text.charCodeAt(i))) i++
    runStart = i
  }
  parts.push(text.substring(runStart, span.end))
  return parts.join(' ')
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

function rank(scores: f64[]): Ranked[] {
  const ranked = new Array<Ranked>(scores.length)
  for (let i = 0; i < scores.length; i++) ranked[i] = new Ranked(i, scores[i])
  ranked.sort(byScoreThenIndex)
  return ranked
}

/**
 * Summarises `text` in at most `maxSentences` sentences and, when `maxChars` > 0, at
 * most `maxChars` code points. Returns null when the text has no sentence.
 */
export function summarize(text: string, maxSentences: i32, maxChars: i32): Summary | null {
  const spans = splitSentences(text)
  if (spans.length == 0) return null
  const ranked = rank(scoreSentences(text, spans))
  const chosen = new Array<i32>()
  let used = 0
  for (let r = 0; r < ranked.length && chosen.length < maxSentences; r++) {
    const length = codePointLength(sentenceText(text, spans[ranked[r].index]))
    const separator = chosen.length > 0 ? 1 : 0
    if (maxChars > 0 && used + separator + length > maxChars) continue
    chosen.push(ranked[r].index)
    used += separator + length
  }
  if (chosen.length == 0) {
    const best = ranked[0].index
    return new Summary(truncate(sentenceText(text, spans[best]), maxChars), [best])
  }
  chosen.sort(ascending)
  const parts = new Array<string>(chosen.length)
  for (let i = 0; i < chosen.length; i++) parts[i] = sentenceText(text, spans[chosen[i]])
  return new Summary(parts.join(' '), chosen)
}
