/**
 * The invoice_ocr pipeline's two steps in sequence on invoice images rendered
 * here with ImageMagick (no downloaded data): ocr_tesseract reads the PNG or
 * JPEG, invoice_extract turns the text into fields.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { isAionError } from '../../src/core/errors/index.js'
import { describeWithEngine } from '../support/engines.js'
import { probeOcrTools, render, type Line } from './invoice-images.js'
import { startSampleExecutor, type SampleExecutor } from './sample-packages.js'

const INVOICES: readonly { name: string; lines: readonly Line[]; fields: object }[] = [
  {
    name: 'german',
    lines: [
      [40, 60, 'ACME GmbH'],
      [40, 100, 'Musterstraße 1, 10115 Berlin'],
      [40, 170, 'Invoice No. INV-2024-0042'],
      [40, 220, 'Date: 15.03.2024'],
      [40, 270, 'Due Date: 14.04.2024'],
      [40, 350, 'Subtotal: € 1.037,45'],
      [40, 400, 'VAT 19%: € 197,11'],
      [40, 450, 'TOTAL EUR € 1.234,56'],
    ],
    fields: {
      invoice_number: 'INV-2024-0042',
      issue_date: '2024-03-15',
      due_date: '2024-04-14',
      currency: 'EUR',
      total: 1234.56,
      subtotal: 1037.45,
      tax: 197.11,
      vendor: 'ACME GmbH',
    },
  },
  {
    name: 'american',
    lines: [
      [40, 60, 'From: Globex Corporation'],
      [40, 100, '100 Main Street, Springfield'],
      [40, 170, 'Invoice # 10057'],
      [640, 170, 'Invoice Date: March 5, 2024'],
      [40, 220, 'Due: April 4, 2024'],
      [40, 300, 'Description            Qty     Price'],
      [40, 345, 'Consulting hours       10     $100.00'],
      [40, 390, 'Travel                  1     $150.00'],
      [40, 470, 'Subtotal: $1,150.00'],
      [40, 515, 'Sales Tax (7.5%): $86.25'],
      [40, 560, 'Amount due: $1,236.25'],
    ],
    fields: {
      invoice_number: '10057',
      issue_date: '2024-03-05',
      due_date: '2024-04-04',
      currency: 'USD',
      total: 1236.25,
      subtotal: 1150,
      tax: 86.25,
      vendor: 'Globex Corporation',
    },
  },
  {
    name: 'british',
    lines: [
      [40, 60, 'Initech Ltd'],
      [40, 100, '42 Baker Street, London'],
      [40, 170, 'INVOICE'],
      [40, 220, 'Invoice Number: UK/2024/118'],
      [40, 270, 'Date of issue: 2024-02-29'],
      [40, 350, 'Net amount: £817.00'],
      [40, 395, 'VAT (20%): £163.40'],
      [40, 440, 'Total: £980.40'],
    ],
    fields: {
      invoice_number: 'UK/2024/118',
      issue_date: '2024-02-29',
      currency: 'GBP',
      total: 980.4,
      subtotal: 817,
      tax: 163.4,
      vendor: 'Initech Ltd',
    },
  },
  {
    name: 'swiss',
    lines: [
      [40, 60, 'Helvetia Software AG'],
      [40, 130, 'Invoice No: A-77'],
      [600, 130, 'Date: 01/02/2024'],
      [40, 180, 'Payment due 03.03.2024'],
      [40, 260, "Total CHF 2'450.00"],
    ],
    fields: {
      invoice_number: 'A-77',
      issue_date: '2024-02-01',
      due_date: '2024-03-03',
      currency: 'CHF',
      total: 2450,
      vendor: 'Helvetia Software AG',
    },
  },
]

describeWithEngine(
  'invoice_ocr: tesseract, ImageMagick and the sandbox',
  await probeOcrTools(),
  () => {
    let samples: SampleExecutor
    let dir: string

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'aion-invoices-'))
      samples = await startSampleExecutor(['ocr_tesseract', 'invoice_extract'])
    }, 120_000)

    afterAll(async () => {
      await samples?.close()
      rmSync(dir, { recursive: true, force: true })
    })

    async function ocr(input: object): Promise<string> {
      const output = (await samples.run('ocr_tesseract', input, 30_000)) as { text: string }
      return output.text
    }

    it.each(INVOICES)(
      'extracts the $name invoice from its image',
      async ({ name, lines, fields }) => {
        const text = await ocr({ image_base64: render(dir, name, lines) })
        expect(await samples.run('invoice_extract', { text })).toEqual(fields)
      },
    )

    it('reads a JPEG as well as a PNG', async () => {
      const [invoice] = INVOICES
      const text = await ocr({
        image_base64: render(dir, 'jpeg', invoice!.lines, 'jpg'),
        lang: 'eng',
      })
      expect(await samples.run('invoice_extract', { text })).toEqual(invoice!.fields)
    })

    it('returns quotes, backslashes, braces, accents and line breaks as a JSON string intact', async () => {
      // ImageMagick reads `\\` in annotate text as one backslash.
      const lines: Line[] = [
        [40, 60, 'He said "pay now" \\\\ back C:\\\\temp'],
        [40, 120, 'Café {"a": 1}'],
      ]
      const text = await ocr({ image_base64: render(dir, 'quotes', lines) })
      expect(text).toBe('He said "pay now" \\ back C:\\temp\nCafé {"a": 1}')
    })

    it('refuses a file that is neither PNG nor JPEG with its own code', async () => {
      const image_base64 = Buffer.from('GIF89a not an invoice').toString('base64')
      const error = await ocr({ image_base64 }).catch((e: unknown) => e)
      expect(isAionError(error) && error.fields).toMatchObject({ moduleCode: 'UNSUPPORTED_IMAGE' })
    })

    it('refuses a language that is not installed, saying so', async () => {
      const image_base64 = render(dir, 'lang', [[40, 60, 'Hallo']])
      const error = await ocr({ image_base64, lang: 'zzz' }).catch((e: unknown) => e)
      expect(isAionError(error) && error.fields).toMatchObject({ moduleCode: 'OCR_FAILED' })
      expect(isAionError(error) && error.message).toMatch(/zzz/)
    })
  },
)
