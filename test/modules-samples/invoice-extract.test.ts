/**
 * invoice_extract through the real WASM executor, on invoice text as OCR gives
 * it: label variants, number and date formats, currencies, OCR noise, and a
 * clear failure when a required field is not there. Every output passes the
 * module's own output schema (the executor checks it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAionError } from '../../src/core/errors/index.js'
import { startSampleExecutor, type SampleExecutor } from './sample-packages.js'

let samples: SampleExecutor

beforeAll(async () => {
  samples = await startSampleExecutor(['invoice_extract'])
}, 120_000)

afterAll(() => samples?.close())

function extract(lines: readonly string[]): Promise<unknown> {
  return samples.run('invoice_extract', { text: lines.join('\n') })
}

describe('invoice_extract', () => {
  it('reads a German invoice: € 1.234,56, DD.MM.YYYY, TOTAL EUR, VAT with a rate', async () => {
    const text = [
      'ACME GmbH',
      'Musterstraße 1, 10115 Berlin',
      '',
      'Invoice No. INV-2024-0042',
      'Date: 15.03.2024',
      'Due Date: 14.04.2024',
      'Subtotal: € 1.037,45',
      'VAT 19%: € 197,11',
      'TOTAL EUR € 1.234,56',
    ]
    expect(await extract(text)).toEqual({
      invoice_number: 'INV-2024-0042',
      issue_date: '2024-03-15',
      due_date: '2024-04-14',
      currency: 'EUR',
      total: 1234.56,
      subtotal: 1037.45,
      tax: 197.11,
      vendor: 'ACME GmbH',
    })
  })

  it('reads a US invoice: From:, Invoice #, month names, $1,234.56, Amount due', async () => {
    const text = [
      'INVOICE',
      'From: Globex Corporation',
      'Invoice # 10057 Invoice Date: March 5, 2024',
      'Due: April 4, 2024',
      'Description Qty Price Total',
      'Consulting hours 10 $100.00 $1,000.00',
      'Subtotal: $1,150.00',
      'Sales Tax (7.5%): $86.25',
      'Amount due: $1,236.25',
    ]
    expect(await extract(text)).toEqual({
      invoice_number: '10057',
      issue_date: '2024-03-05',
      due_date: '2024-04-04',
      currency: 'USD',
      total: 1236.25,
      subtotal: 1150,
      tax: 86.25,
      vendor: 'Globex Corporation',
    })
  })

  it('reads slashes month-first on a dollar invoice and day-first otherwise', async () => {
    const base = ['Vendor Inc', 'Invoice No: 7', 'Date: 03/04/2024']
    expect(await extract([...base, 'Total: $10.00'])).toMatchObject({ issue_date: '2024-03-04' })
    expect(await extract([...base, 'Total: 10,00 EUR'])).toMatchObject({ issue_date: '2024-04-03' })
    // 13 cannot be a month, whatever the currency.
    expect(
      await extract(['Vendor Inc', 'Invoice No: 7', 'Date: 13/04/2024', 'Total: $10.00']),
    ).toMatchObject({ issue_date: '2024-04-13' })
  })

  it('tolerates OCR noise: odd punctuation after labels, squashed or split labels', async () => {
    const text = [
      'Initech Ltd',
      'lnvoice text follows',
      'Invoice No, UK/2024/118',
      'Date of issue; 2024-02-29',
      'Sub-Total . £817.00',
      'VAT (20%) | £163.40',
      'TOTAL: £ 980.40',
    ]
    expect(await extract(text)).toEqual({
      invoice_number: 'UK/2024/118',
      issue_date: '2024-02-29',
      currency: 'GBP',
      total: 980.4,
      subtotal: 817,
      tax: 163.4,
      vendor: 'Initech Ltd',
    })
  })

  it("reads CHF 2'450.00, a two-column line and Payment due", async () => {
    const text = [
      'Helvetia Software AG',
      'Invoice No: A-77       Date: 01/02/2024',
      'Payment due 03.03.2024',
      "Total CHF 2'450.00",
    ]
    expect(await extract(text)).toEqual({
      invoice_number: 'A-77',
      issue_date: '2024-02-01',
      due_date: '2024-03-03',
      currency: 'CHF',
      total: 2450,
      vendor: 'Helvetia Software AG',
    })
  })

  it('does not take a tax id for the tax, a subtotal or total tax for the total, or the due date for the date', async () => {
    const text = [
      'Contoso SARL',
      'VAT No: FR40303265045',
      'Invoice number 2024-118',
      'Due date 30 April 2024',
      'Invoice date 31 March 2024',
      'Subtotal 100,00 €',
      'Total VAT 20,00 €',
      'Total 120,00 €',
    ]
    expect(await extract(text)).toEqual({
      invoice_number: '2024-118',
      issue_date: '2024-03-31',
      due_date: '2024-04-30',
      currency: 'EUR',
      total: 120,
      subtotal: 100,
      tax: 20,
      vendor: 'Contoso SARL',
    })
  })

  it('refuses impossible dates and fails with the missing fields named', async () => {
    const error = await extract([
      'Shop',
      'Invoice No: 5',
      'Date: 31.02.2024',
      'Total: 5,00 €',
    ]).catch((e: unknown) => e)
    expect(isAionError(error) && error.code).toBe('AION_MODULE_FAILED')
    expect(isAionError(error) && error.fields).toMatchObject({
      moduleCode: 'FIELDS_NOT_FOUND',
      detail: 'the text holds no issue_date',
    })
  })

  it('names every missing field of a text that is no invoice', async () => {
    const error = await extract(['Dear team, lunch is at noon.']).catch((e: unknown) => e)
    expect(isAionError(error) && error.fields).toMatchObject({
      moduleCode: 'FIELDS_NOT_FOUND',
      detail: 'the text holds no invoice_number, issue_date, currency, total',
    })
  })
})
