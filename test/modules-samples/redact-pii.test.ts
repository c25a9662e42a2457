/**
 * redact_pii through the real WASM executor: what it redacts, what it must leave
 * alone, and that its spans are UTF-16 offsets into the input that rebuild the
 * output exactly.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAionError } from '../../src/core/errors/index.js'
import { modulesDir, startSampleExecutor, type SampleExecutor } from './sample-packages.js'

interface Span {
  start: number
  end: number
  type: string
  replacement: string
}

interface Redaction {
  text: string
  spans: Span[]
}

let samples: SampleExecutor

beforeAll(async () => {
  samples = await startSampleExecutor(['redact_pii'])
}, 120_000)

afterAll(() => samples?.close())

/** Redacts `text` and checks the invariants every result must hold. */
async function redact(text: string): Promise<Redaction> {
  const result = (await samples.run('redact_pii', { text })) as Redaction
  let rebuilt = ''
  let copied = 0
  for (const span of result.spans) {
    expect(span.start).toBeGreaterThanOrEqual(copied)
    expect(span.end).toBeGreaterThan(span.start)
    expect(span.replacement).toBe(`[${span.type.toUpperCase()}]`)
    rebuilt += text.slice(copied, span.start) + span.replacement
    copied = span.end
  }
  expect(rebuilt + text.slice(copied)).toBe(result.text)
  return result
}

/** The `[type, original text]` of each span. */
async function found(text: string): Promise<[string, string][]> {
  const { spans } = await redact(text)
  return spans.map((span) => [span.type, text.slice(span.start, span.end)])
}

describe('redact_pii: e-mail addresses', () => {
  it('takes plus tags, dots, subdomains, hyphens and upper case, not the sentence period', async () => {
    const text =
      'Write to jane.doe+invoices@mail.example.co.uk, OPS-Team@Example.COM or ' +
      'a_b%c@sub.do-main.org. Not: @handle, user@localhost, name@ or foo@bar.'
    expect(await found(text)).toEqual([
      ['email', 'jane.doe+invoices@mail.example.co.uk'],
      ['email', 'OPS-Team@Example.COM'],
      ['email', 'a_b%c@sub.do-main.org'],
    ])
  })

  it('takes an address in brackets or quotes without them', async () => {
    expect(await found('"Support" <jane@example.com>; (ops@example.net)')).toEqual([
      ['email', 'jane@example.com'],
      ['email', 'ops@example.net'],
    ])
  })
})

describe('redact_pii: phone numbers', () => {
  it.each([
    ['+49 30 1234567'],
    ['(555) 123-4567'],
    ['555-123-4567'],
    ['555.123.4567'],
    ['+1-202-555-0143'],
    ['1-800-555-0199'],
    ['+44 20 7946 0958'],
    ['+44 (0)20 7946 0958'],
    ['+33 1 42 68 53 00'],
    ['030 1234567'],
    ['0171/2345678'],
    ['+4930123456'],
  ])('redacts %s', async (phone) => {
    const { text } = await redact(`Call ${phone} today.`)
    expect(text).toBe('Call [PHONE] today.')
  })

  it('redacts several in one text and keeps the labels', async () => {
    const text = 'Tel: +49 30 1234567\nFax: (555) 123-4567, mobile 555-123-4567.'
    expect((await redact(text)).text).toBe('Tel: [PHONE]\nFax: [PHONE], mobile [PHONE].')
  })
})

describe('redact_pii: IBANs', () => {
  it('redacts German, British and French IBANs written in groups, and a compact one', async () => {
    const text =
      'Pay to DE89 3704 0044 0532 0130 00 or GB82 WEST 1234 5698 7654 32, ' +
      'FR14 2004 1010 0505 0001 3M02 606 or DE89370400440532013000.'
    expect(await found(text)).toEqual([
      ['iban', 'DE89 3704 0044 0532 0130 00'],
      ['iban', 'GB82 WEST 1234 5698 7654 32'],
      ['iban', 'FR14 2004 1010 0505 0001 3M02 606'],
      ['iban', 'DE89370400440532013000'],
    ])
  })

  it('leaves an IBAN with a wrong check digit or a wrong length alone', async () => {
    const text =
      'DE89 3704 0044 0532 0130 01 and DE89 3704 0044 0532 0130 0 and GB00 WEST 1234 5698 7654 32'
    expect((await redact(text)).spans).toEqual([])
  })

  it('does not swallow the currency code written after an IBAN', async () => {
    expect(await found('GB82 WEST 1234 5698 7654 32 EUR')).toEqual([
      ['iban', 'GB82 WEST 1234 5698 7654 32'],
    ])
  })
})

describe('redact_pii: card numbers', () => {
  it('redacts Luhn-valid numbers, grouped or compact', async () => {
    const text =
      'Visa 4111 1111 1111 1111, Mastercard 5555-5555-5555-4444, Amex 378282246310005, ' +
      'Discover 6011 0009 9013 9424.'
    expect(await found(text)).toEqual([
      ['card', '4111 1111 1111 1111'],
      ['card', '5555-5555-5555-4444'],
      ['card', '378282246310005'],
      ['card', '6011 0009 9013 9424'],
    ])
  })

  it('leaves a number that fails Luhn alone', async () => {
    const text = 'Visa 4111 1111 1111 1112, Mastercard 5555-5555-5555-4445, 378282246310006.'
    expect((await redact(text)).spans).toEqual([])
  })
})

describe('redact_pii: numbers that are not personal data', () => {
  it('leaves dates, times, amounts, invoice and order numbers, versions and percentages alone', async () => {
    const text = [
      'Invoice INV-2024-0042 of 2024-01-15 (15.01.2024, 01/15/2024, 15 Jan 2024) at 10:30.',
      'Total €1.234,56 or $1,234.56 or 1 234,56 EUR; VAT 19% = 197,11.',
      'Order 1234567890123, ref 2024-0042, PO 4500012345, customer no. 100200300.',
      'Version 1.2.3, build 20240115, ZIP 10115, room 12-34, pages 10-20.',
    ].join('\n')
    const result = await redact(text)
    expect(result.spans).toEqual([])
    expect(result.text).toBe(text)
  })
})

describe('redact_pii: names', () => {
  it('redacts listed names, joins a given name and surname, keeps a possessive', async () => {
    const text = "Maria García met John Smith and O'Brien; John's car."
    expect(await found(text)).toEqual([
      ['name', 'Maria García'],
      ['name', 'John Smith'],
      ['name', "O'Brien"],
      ['name', 'John'],
    ])
  })

  it('needs a capital letter: common words that are also names stay', async () => {
    expect((await redact('we will paul the lee side, smith.')).spans).toEqual([])
  })

  it('redacts every name of the shipped list, and only whole words', async () => {
    const names = readFileSync(join(modulesDir, 'redact_pii', 'data', 'names.txt'), 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line.length > 0)
    expect(names.length).toBeGreaterThan(50)
    const text = names.map((name) => `Dear ${name},`).join(' ')
    const spans = await found(text)
    expect(spans.map(([, name]) => name)).toEqual(names)
    expect((await redact('Johnson Johnsonville Mariana Smithers')).spans.length).toBe(1)
  })
})

describe('redact_pii: the name list is the package file data/names.txt', () => {
  it('redacts a name added to the file, without rebuilding the module', async () => {
    const edited = await startSampleExecutor(['redact_pii'], (dir) =>
      appendFileSync(join(dir, 'redact_pii', 'data', 'names.txt'), 'Quetzalli\n'),
    )
    try {
      const text = 'Quetzalli and John'
      expect(((await edited.run('redact_pii', { text })) as Redaction).text).toBe(
        '[NAME] and [NAME]',
      )
      expect((await redact(text)).text).toBe('Quetzalli and [NAME]')
    } finally {
      await edited.close()
    }
  })

  it('fails with NAMES_UNAVAILABLE when the manifest does not grant the read-only mount', async () => {
    const edited = await startSampleExecutor(['redact_pii'], (dir) => {
      const manifest = join(dir, 'redact_pii', 'aip.yaml')
      const text = readFileSync(manifest, 'utf8')
      writeFileSync(manifest, text.replace('filesystem: read-only', 'filesystem: none'))
    })
    try {
      const error = await edited.run('redact_pii', { text: 'x' }).catch((e: unknown) => e)
      expect(isAionError(error) && error.fields).toMatchObject({ moduleCode: 'NAMES_UNAVAILABLE' })
    } finally {
      await edited.close()
    }
  })
})

describe('redact_pii: unicode text', () => {
  it('reports UTF-16 offsets past emoji, accents and CJK text', async () => {
    const text =
      '😀 Grüße von Zoë 👋 — 電話 +81 3 1234 5678、メール yuki@例え.jp 🇩🇪 jürgen@example.de'
    const result = await redact(text)
    expect(result.spans.map((s) => [s.type, text.slice(s.start, s.end)])).toEqual([
      ['name', 'Zoë'],
      ['phone', '+81 3 1234 5678'],
      ['email', 'yuki@例え.jp'],
      ['email', 'jürgen@example.de'],
    ])
    expect(result.text).toBe('😀 Grüße von [NAME] 👋 — 電話 [PHONE]、メール [EMAIL] 🇩🇪 [EMAIL]')
  })

  it('returns text without personal data unchanged, and empty text as empty', async () => {
    const text = 'Ein ganz normaler Satz. 日本語の文章です。 Ελληνικά κείμενο.'
    expect(await redact(text)).toEqual({ text, spans: [] })
    expect(await redact('')).toEqual({ text: '', spans: [] })
  })
})

describe('redact_pii: everything together', () => {
  it('redacts a support e-mail with each kind once', async () => {
    const text =
      'Hello, I am Sophie Martin (sophie.martin@example.fr, +33 1 42 68 53 00). ' +
      'Please refund card 4111 1111 1111 1111 to FR14 2004 1010 0505 0001 3M02 606. ' +
      'My order 2024-0042 of 12.03.2024 was €49,90.'
    expect((await redact(text)).text).toBe(
      'Hello, I am [NAME] ([EMAIL], [PHONE]). Please refund card [CARD] to [IBAN]. ' +
        'My order 2024-0042 of 12.03.2024 was €49,90.',
    )
  })

  it('refuses a request without text before running the module', async () => {
    const error = await samples.run('redact_pii', { body: 'x' }).catch((e: unknown) => e)
    expect(isAionError(error) && error.code).toBe('AION_MODULE_INPUT_INVALID')
  })
})
