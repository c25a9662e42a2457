/**
 * The invoice's fields from its OCR text. Each field has labels in order of
 * preference; the value is read right after a label (same line, OCR separators
 * skipped), so two-column lines (`Invoice No: 7  Date: 01.02.2024`) work. A
 * label that matched but whose value does not parse is passed over.
 */
import { findAmount, findCurrency } from './amounts'
import { findDate } from './dates'
import {
  asciiLower,
  at,
  findLabel,
  isDigit,
  isLetter,
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports -- AssemblyScript has no `import type`
  LabelMatch,
  splitLines,
  wordAfter,
  wordBefore,
} from './text'

const NUMBER_LABELS = [
  'invoice number',
  'invoice no',
  'invoice nr',
  'invoice #',
  'invoice id',
  'inv no',
  'inv #',
  'rechnungsnummer',
  'rechnung nr',
  'invoice',
]
const ISSUE_DATE_LABELS = [
  'invoice date',
  'issue date',
  'date of issue',
  'issued on',
  'rechnungsdatum',
  'dated',
  'date',
  'datum',
]
const DUE_DATE_LABELS = [
  'due date',
  'payment due',
  'date due',
  'due by',
  'due on',
  'pay by',
  'payable by',
  'zahlbar bis',
  'due',
]
const TOTAL_LABELS = [
  'amount due',
  'total due',
  'balance due',
  'grand total',
  'total amount',
  'invoice total',
  'amount payable',
  'gesamtbetrag',
  'rechnungsbetrag',
  'total',
]
const SUBTOTAL_LABELS = [
  'subtotal',
  'sub total',
  'net amount',
  'net total',
  'total net',
  'amount before tax',
  'zwischensumme',
  'nettobetrag',
]
const TAX_LABELS = ['sales tax', 'vat', 'tax', 'gst', 'mwst', 'ust', 'tva']
const VENDOR_LABELS = ['from', 'vendor', 'seller', 'supplier', 'billed by', 'issued by']
const HEADINGS = ['invoice', 'tax invoice', 'commercial invoice', 'rechnung', 'facture', 'receipt']

/** Words before `date` that make it some other date than the invoice's. */
const OTHER_DATES = ['due', 'delivery', 'order', 'payment', 'service', 'shipping', 'ship', 'expiry']
/** Words after `total` that make it a partial total. */
const PARTIAL_TOTALS = ['tax', 'vat', 'net', 'excl', 'excluding', 'before', 'items', 'qty']
/** Words after a tax label that make it an identifier, not an amount. */
const TAX_IDENTIFIERS = ['id', 'no', 'number', 'nr', 'reg', 'registration', 'code', 'exempt']

/** The extracted fields; '' where a field was not found. */
export class Invoice {
  invoiceNumber: string = ''
  issueDate: string = ''
  dueDate: string = ''
  currency: string = ''
  total: string = ''
  subtotal: string = ''
  tax: string = ''
  vendor: string = ''
}

const NUMBER = 0
const ISSUE_DATE = 1
const DUE_DATE = 2
const TOTAL = 3
const SUBTOTAL = 4
const TAX = 5

function includes(words: string[], word: string): bool {
  return words.includes(word)
}

/** The invoice number at `from`: one token of letters, digits and `-/_.` holding a digit. */
function invoiceNumberAt(line: string, from: i32): string {
  let end = from
  while (end < line.length) {
    const c = at(line, end)
    const tokenChar = isDigit(c) || (c < 0x80 && isLetter(c)) || c == 0x2d || c == 0x2f
    if (tokenChar || c == 0x5f || c == 0x2e) end++
    else break
  }
  while (end > from && (at(line, end - 1) == 0x2e || at(line, end - 1) == 0x2d)) end--
  const token = line.substring(from, end)
  for (let i = 0; i < token.length; i++) {
    if (isDigit(token.charCodeAt(i))) return token.length <= 64 ? token : ''
  }
  return ''
}

function cleanVendor(value: string): string {
  const words = new Array<string>()
  const raw = value.split(' ')
  for (let i = 0; i < raw.length; i++) if (raw[i].trim().length > 0) words.push(raw[i].trim())
  let vendor = words.join(' ')
  while (
    vendor.length > 0 &&
    !isLetter(at(vendor, vendor.length - 1)) &&
    !isDigit(at(vendor, vendor.length - 1)) &&
    at(vendor, vendor.length - 1) != 0x29
  ) {
    vendor = vendor.substring(0, vendor.length - 1)
  }
  return vendor.length > 200 ? vendor.substring(0, 200) : vendor
}

function hasLetter(s: string): bool {
  for (let i = 0; i < s.length; i++) if (isLetter(s.charCodeAt(i))) return true
  return false
}

/** Whether the line starts with a field's label (so it is not the vendor's name). */
function startsWithLabel(lower: string): bool {
  const lists = [NUMBER_LABELS, ISSUE_DATE_LABELS, DUE_DATE_LABELS, TOTAL_LABELS, SUBTOTAL_LABELS]
  for (let k = 0; k < lists.length; k++) {
    const labels = lists[k]
    for (let l = 0; l < labels.length; l++) {
      const match = findLabel(lower, labels[l], 0)
      if (match !== null && match.start == 0) return true
    }
  }
  return lower.startsWith('bill to') || lower.startsWith('to:')
}

class Extractor {
  lines: string[]
  lowers: string[]
  monthFirst: bool = false
  /** The currency next to the total, when there was one. */
  totalCurrency: string = ''

  constructor(text: string) {
    const lines = splitLines(text)
    const lowers = new Array<string>(lines.length)
    for (let i = 0; i < lines.length; i++) lowers[i] = asciiLower(lines[i])
    this.lines = lines
    this.lowers = lowers
  }

  /** The field's value after `match` in line `n`, or '' when this match does not hold one. */
  valueAt(field: i32, n: i32, match: LabelMatch): string {
    const line = this.lines[n]
    const lower = this.lowers[n]
    const value = match.valueStart
    if (field == NUMBER) return invoiceNumberAt(line, value)
    if (field == ISSUE_DATE) {
      if (includes(OTHER_DATES, wordBefore(lower, match.start))) return ''
      return findDate(line.substring(value), this.monthFirst)
    }
    if (field == DUE_DATE) return findDate(line.substring(value), this.monthFirst)
    if (field == TOTAL) {
      if (wordBefore(lower, match.start) == 'sub') return ''
      if (includes(PARTIAL_TOTALS, wordAfter(lower, value))) return ''
    }
    if (field == TAX) {
      if (includes(TAX_IDENTIFIERS, wordAfter(lower, value))) return ''
      const before = wordBefore(lower, match.start)
      if (before == 'excl' || before == 'incl' || before == 'including') return ''
    }
    const amount = findAmount(line, value)
    if (amount === null) return ''
    if (field == TOTAL) this.totalCurrency = amount.currency
    return amount.decimal
  }

  /** The first (or, with `last`, the last) line's value for the most preferred label that has one. */
  find(field: i32, labels: string[], last: bool): string {
    for (let l = 0; l < labels.length; l++) {
      let found = ''
      for (let n = 0; n < this.lines.length; n++) {
        let match = findLabel(this.lowers[n], labels[l], 0)
        while (match !== null) {
          const value = this.valueAt(field, n, match)
          if (value.length > 0) {
            found = value
            break
          }
          match = findLabel(this.lowers[n], labels[l], match.start + 1)
        }
        if (found.length > 0 && !last) return found
      }
      if (found.length > 0) return found
    }
    return ''
  }

  vendor(): string {
    for (let n = 0; n < this.lines.length; n++) {
      for (let l = 0; l < VENDOR_LABELS.length; l++) {
        const match = findLabel(this.lowers[n], VENDOR_LABELS[l], 0)
        if (match === null || match.start != 0) continue
        let value = cleanVendor(this.lines[n].substring(match.valueStart))
        if (value.length == 0 && n + 1 < this.lines.length) value = cleanVendor(this.lines[n + 1])
        if (hasLetter(value)) return value
      }
    }
    for (let n = 0; n < this.lines.length; n++) {
      const lower = cleanVendor(this.lowers[n])
      if (includes(HEADINGS, lower) || !hasLetter(lower) || startsWithLabel(lower)) continue
      return cleanVendor(this.lines[n])
    }
    return ''
  }
}

export function extractInvoice(text: string): Invoice {
  const extractor = new Extractor(text)
  const invoice = new Invoice()
  invoice.total = extractor.find(TOTAL, TOTAL_LABELS, true)
  invoice.currency = extractor.totalCurrency
  if (invoice.currency.length == 0) invoice.currency = findCurrency(text)
  extractor.monthFirst = invoice.currency == 'USD'
  invoice.subtotal = extractor.find(SUBTOTAL, SUBTOTAL_LABELS, false)
  invoice.tax = extractor.find(TAX, TAX_LABELS, false)
  invoice.invoiceNumber = extractor.find(NUMBER, NUMBER_LABELS, false)
  invoice.issueDate = extractor.find(ISSUE_DATE, ISSUE_DATE_LABELS, false)
  invoice.dueDate = extractor.find(DUE_DATE, DUE_DATE_LABELS, false)
  invoice.vendor = extractor.vendor()
  return invoice
}
