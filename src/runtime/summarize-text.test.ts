import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkContract } from '../core/contracts/contract-validator.js'
import { isAionError } from '../core/errors/index.js'
import { ensureSummarizeTextBuilt, modulesDir } from './test-packages.fixture.js'
import { createModuleExecutor, type ClosableModuleExecutor } from './wasm/wasm-module-executor.js'
import { loadPackages } from '../distribution/aip/index.js'

interface Summary {
  summary: string
  sentences: number[]
}

let executor: ClosableModuleExecutor

beforeAll(async () => {
  await ensureSummarizeTextBuilt()
  executor = await createModuleExecutor({ packages: await loadPackages(modulesDir) })
}, 120_000)

afterAll(() => executor?.close())

async function summarize(input: Record<string, unknown>): Promise<Summary> {
  const result = await executor.run({
    module: 'summarize_text',
    input,
    signal: new AbortController().signal,
    timeoutMs: 10_000,
  })
  return result.output as Summary
}

const article = [
  'Solar panels turn sunlight into electricity without moving parts.',
  'The weather in the capital was mild on Tuesday.',
  'Modern solar panels convert about 22 percent of sunlight into electricity.',
  'A local bakery opened a second shop downtown.',
  'Cheaper solar panels and better batteries make solar electricity the cheapest power in many regions.',
  'The football match ended in a draw.',
].join(' ')

describe('summarize_text package', () => {
  it('has a manifest the aip-manifest contract accepts', async () => {
    const text = await readFile(join(modulesDir, 'summarize_text', 'aip.yaml'), 'utf8')
    expect(checkContract('aip-manifest', parse(text))).toEqual([])
    // Other sample packages share modules/; only this one's load is under test here.
    const quarantined = executor.quarantined().map((q) => q.error.fields.package)
    expect(quarantined).not.toContain('summarize_text')
    expect(executor.modules().get('summarize_text')).toMatchObject({
      version: '1.3.0',
      intents: ['summarize'],
      timeoutMs: 1500,
    })
  })
})

describe('sentence splitting', () => {
  it('does not split at abbreviations, initials or decimals', async () => {
    const text =
      'Dr. Smith and Mr. J. R. Jones met Prof. Lee at 5 p.m. in the U.S. embassy, e.g. the new one. ' +
      'They paid $1.5m, i.e. 3.14 times the estimate, for tools, paper, etc. and more. ' +
      'See No. 7 on p. 12 of vol. 2 for details.'
    const { summary, sentences } = await summarize({ text, max_sentences: 20 })
    expect(sentences).toEqual([0, 1, 2])
    expect(summary).toBe(text)
  })

  it('keeps closing quotes with their sentence and reads ellipses and lower-case continuations', async () => {
    const text = '"Stop!" she said. He waited... then he left. "Fine." The end came... Nobody knew.'
    const { sentences, summary } = await summarize({ text, max_sentences: 20 })
    expect(sentences).toEqual([0, 1, 2, 3, 4])
    expect(summary).toBe(text)
  })

  it('ends a sentence at a blank line, and collapses white space inside one', async () => {
    const text = 'A Heading Without Punctuation\n\nThe body   starts\nhere and goes on.'
    const { summary, sentences } = await summarize({ text, max_sentences: 20 })
    expect(sentences).toEqual([0, 1])
    expect(summary).toBe('A Heading Without Punctuation The body starts here and goes on.')
  })

  it('splits CJK text at full-width terminators and keeps non-Latin scripts and emoji intact', async () => {
    const text =
      '東京は日本の首都です。大阪は大きな都市です。Ünïcödé café — naïve 🎉 fun! Последнее предложение здесь.'
    const { summary, sentences } = await summarize({ text, max_sentences: 20 })
    expect(sentences).toEqual([0, 1, 2, 3])
    expect(summary).toContain('🎉')
    expect(summary).toContain('Последнее предложение здесь.')
    expect(summary).toContain('東京は日本の首都です。')
  })
})

describe('scoring and selection', () => {
  it('picks the sentences on the main topic and returns them in text order', async () => {
    const { summary, sentences } = await summarize({ text: article, max_sentences: 2 })
    expect(sentences).toHaveLength(2)
    expect([...sentences].sort((a, b) => a - b)).toEqual(sentences)
    for (const index of sentences) expect([0, 2, 4]).toContain(index)
    expect(summary).toMatch(/solar/i)
    expect(summary).not.toMatch(/bakery|football|weather/)
  })

  it('defaults to three sentences and honours max_sentences', async () => {
    expect((await summarize({ text: article })).sentences).toHaveLength(3)
    expect((await summarize({ text: article, max_sentences: 1 })).sentences).toHaveLength(1)
    expect((await summarize({ text: article, max_sentences: 20 })).sentences).toHaveLength(6)
  })

  it('keeps the summary within max_chars, cutting the best sentence when none fits', async () => {
    for (const maxChars of [200, 120, 70]) {
      const { summary } = await summarize({ text: article, max_sentences: 5, max_chars: maxChars })
      expect([...summary].length).toBeLessThanOrEqual(maxChars)
      expect(summary.length).toBeGreaterThan(0)
    }
    const cut = await summarize({ text: article, max_chars: 20 })
    expect([...cut.summary].length).toBeLessThanOrEqual(20)
    expect(cut.summary.endsWith('…')).toBe(true)
    expect(cut.sentences).toHaveLength(1)
  })

  it('counts max_chars in code points, never splitting a surrogate pair', async () => {
    const text = '🎉🎉🎉🎉🎉🎉🎉🎉 party time is here for everyone today.'
    const { summary } = await summarize({ text, max_chars: 6 })
    expect([...summary].length).toBeLessThanOrEqual(6)
    expect(summary).toBe('🎉🎉🎉🎉🎉…')
  })

  it('is deterministic', async () => {
    const first = await summarize({ text: article, max_sentences: 3 })
    for (let i = 0; i < 3; i++)
      expect(await summarize({ text: article, max_sentences: 3 })).toEqual(first)
  })
})

describe('input the schema refuses', () => {
  it.each([
    ['empty', { text: '' }, '/text'],
    ['white space only', { text: ' \n\t ' }, '/text'],
    ['max_sentences 0', { text: 'Hello there.', max_sentences: 0 }, '/max_sentences'],
    ['unknown member', { text: 'Hello there.', style: 'short' }, '/style'],
  ])('%s → AION_MODULE_INPUT_INVALID', async (_, input, path) => {
    const error = await summarize(input).catch((e: unknown) => e)
    expect(isAionError(error) && error.code).toBe('AION_MODULE_INPUT_INVALID')
    const fields = isAionError(error) ? (error.fields as { violations: { path: string }[] }) : null
    expect(fields?.violations.map((v) => v.path)).toContain(path)
  })
})

describe('everything the summarize intent allows', () => {
  it('summarises any non-blank text within max_sentences, indices ascending', async () => {
    expect(await summarize({ text: '... ?!' })).toEqual({ summary: '... ?!', sentences: [0] })
    const word = fc.constantFrom(
      'solar',
      'Dr.',
      'e.g.',
      '3.14',
      'panel',
      'é',
      '🎉',
      'Hi!',
      'why?',
      '...',
    )
    const text = fc.array(word, { minLength: 1, maxLength: 40 }).map((words) => words.join(' '))
    await fc.assert(
      fc.asyncProperty(text, fc.integer({ min: 1, max: 20 }), async (t, maxSentences) => {
        const { sentences, summary } = await summarize({ text: t, max_sentences: maxSentences })
        expect(sentences.length).toBeLessThanOrEqual(maxSentences)
        expect(sentences.length).toBeGreaterThan(0)
        expect([...sentences].sort((a, b) => a - b)).toEqual(sentences)
        expect(summary.length).toBeGreaterThan(0)
      }),
      { numRuns: 60 },
    )
  })
})

/** A text of at least `length` characters, the `parts` repeated; `separator(i)` follows part i. */
function repeated(parts: readonly string[], length: number, separator: (i: number) => string) {
  let text = ''
  for (let i = 0; text.length < length; i++) text += `${parts[i % parts.length]}${separator(i)}`
  return text
}

const solar = [
  'Solar panels turn sunlight into electricity without moving parts.',
  'The weather in the capital was mild on Tuesday.',
  'Modern solar panels convert about 22 percent of sunlight into electricity.',
  'A local bakery opened a second shop downtown.',
  'Cheaper panels and better batteries make solar power the cheapest in many regions.',
  'The football match ended in a draw after extra time.',
]

const mixed = [
  'Dr. Smith’s models of the U.S. grid (see No. 7 on p. 12) were published on Jan. 3 by Prof. Lee.',
  'The grid’s batteries store solar power at night; e.g. the new plant stores 3.14 GWh.',
  '"Will storage scale?" she asked. Nobody answered… then the panel’s chair spoke.',
  'ΟΔΥΣΣΕΥΣ ΚΑΙ ΑΧΙΛΛΕΥΣ. Grüße aus München, sagte İlkay — 🎉🎉 fun!',
  '東京の電力網は太陽光を使います。大阪も同じです。',
  "Studies of batteries’ lifetimes show the cells' capacity falls by 2 % a year.",
  'A heading without punctuation\n\nBatteries and solar panels together make the grid\tcleaner   and cheaper.',
  'Tab\tand control \u0001 characters, quotes " and back\\slashes stay escaped.',
  'Mr. J. R. R. Tolkien wrote at 5 p.m. Then he slept.',
]

// Outputs recorded from the build before the module was rewritten for speed (incremental
// runtime, strings and maps per word): the rewrite must not change a byte of them.
describe('fixed 2 KB inputs give the recorded outputs', () => {
  it('the benchmark input', async () => {
    const text = repeated(solar, 2048, () => ' ')
      .slice(0, 2048)
      .trim()
    expect(await summarize({ text, max_sentences: 3 })).toEqual({
      summary:
        'Solar panels turn sunlight into electricity without moving parts. Modern solar panels ' +
        'convert about 22 percent of sunlight into electricity. Solar panels turn sunlight into ' +
        'electricity without moving parts.',
      sentences: [0, 2, 6],
    })
  })

  const text = repeated(mixed, 2000, (i) => (i % 4 === 3 ? '\n\n' : ' ')).trim()

  it('abbreviations, scripts, escapes and max_chars', async () => {
    expect(text.length).toBe(2069)
    const batteries = 'Batteries and solar panels together make the grid cleaner and cheaper.'
    expect(await summarize({ text, max_sentences: 5, max_chars: 400 })).toEqual({
      summary: [
        'Dr. Smith’s models of the U.S. grid (see No. 7 on p. 12) were published on Jan. 3 by Prof. Lee.',
        'The grid’s batteries store solar power at night; e.g. the new plant stores 3.14 GWh.',
        batteries,
        batteries,
        batteries,
      ].join(' '),
      sentences: [0, 1, 10, 24, 38],
    })
  })

  it('twenty sentences of it', async () => {
    const { summary, sentences } = await summarize({ text, max_sentences: 20 })
    expect(sentences).toEqual([
      0, 1, 6, 7, 8, 10, 11, 14, 15, 20, 21, 22, 24, 28, 29, 34, 35, 36, 38, 42,
    ])
    expect(summary).toContain('東京の電力網は太陽光を使います。 大阪も同じです。')
    expect(summary).toContain(
      'Tab and control \u0001 characters, quotes " and back\\slashes stay escaped.',
    )
    expect(createHash('sha256').update(summary).digest('hex')).toBe(
      '462af3f7e4be95d1982318eef64e7cc3c62169ed2b57f0fc28b789b350cd6965',
    )
  })
})

describe('the largest texts the input schema allows', () => {
  // 1 Mi code points each. One long sentence is cut to max_chars (stdout holds at most 1 MiB).
  // The build before the rewrite ran out of its 64 MiB on all but the third.
  const codePoints = 1 << 20
  it.each<[string, () => string, { max_chars?: number }]>([
    ['a two-character sentence each', () => '東。'.repeat(codePoints / 2), {}],
    ['a distinct word per sentence', () => distinctWords(codePoints, '. '), {}],
    [
      'a distinct word each, one sentence',
      () => distinctWords(codePoints, ' '),
      { max_chars: 900 },
    ],
    [
      'control characters, 6 bytes each in JSON',
      () => '\u0001'.repeat(codePoints),
      { max_chars: 900 },
    ],
  ])(
    '%s: summarised within the memory maximum',
    async (_, make, options) => {
      const text = make()
      expect([...text].length).toBeLessThanOrEqual(codePoints)
      const { summary, sentences } = await summarize({ text, max_sentences: 20, ...options })
      expect(sentences.length).toBeGreaterThan(0)
      expect(summary.length).toBeGreaterThan(0)
      expect([...summary].length).toBeLessThanOrEqual(options.max_chars ?? codePoints)
    },
    30_000,
  )
})

/** Two-syllable Hangul words, all different, each followed by `separator`, `length` code points. */
function distinctWords(length: number, separator: string): string {
  const words: string[] = []
  const wordLength = 2 + separator.length
  for (let i = 0; i < Math.floor(length / wordLength); i++) {
    words.push(
      String.fromCharCode(0xac00 + (i % 11_000), 0xac00 + Math.floor(i / 11_000)) + separator,
    )
  }
  return words.join('')
}
