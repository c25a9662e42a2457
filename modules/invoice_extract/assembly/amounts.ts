/**
 * Money amounts and currencies as invoices and OCR write them: `€ 1.234,56`,
 * `$1,234.56`, `1 234,56 EUR`, `CHF 2'450.00`, `1234.5`. The last `.` or `,`
 * followed by one or two digits is the decimal mark; every other `.`, `,`,
 * space or `'` between groups of three digits groups thousands. A number followed
 * by `%` is a rate, not an amount.
 */
import { at, isAsciiLetter, isDigit, isSpace } from './text'

const CODES = new Set<string>()

function fillCodes(): void {
  const codes =
    'EUR USD GBP CHF JPY CNY CAD AUD NZD SEK NOK DKK PLN CZK HUF RON BGN INR BRL MXN ZAR SGD HKD KRW TRY ILS AED SAR RUB UAH'
  const list = codes.split(' ')
  for (let i = 0; i < list.length; i++) CODES.add(list[i])
}
fillCodes()

/** An amount found in a string: its exact decimal text (`1234.56`) and currency, if one is next to it. */
export class Amount {
  constructor(
    public decimal: string,
    public currency: string,
    /** Written with a decimal mark or thousands groups, as money is. */
    public moneyShaped: bool,
    public end: i32,
  ) {}
}

/** The ISO 4217 code for the symbol at `i`, or ''. */
function symbolAt(s: string, i: i32): string {
  const c = at(s, i)
  if (c == 0x20ac) return 'EUR'
  if (c == 0xa3) return 'GBP'
  if (c == 0xa5) return 'JPY'
  if (c == 0x20b9) return 'INR'
  if (c == 0x20a3) return 'CHF'
  if (c == 0x24) {
    // `US$`, `CA$`/`C$`, `A$`/`AU$`, `NZ$`, `HK$`, `S$` name their dollar; a bare `$` is USD.
    const before = s.substring(max(0, i - 2), i).toUpperCase()
    if (before == 'CA' || before.endsWith(' C') || before == 'C') return 'CAD'
    if (before == 'AU' || before.endsWith(' A') || before == 'A') return 'AUD'
    if (before == 'NZ') return 'NZD'
    if (before == 'HK') return 'HKD'
    if (before.endsWith(' S') || before == 'S') return 'SGD'
    return 'USD'
  }
  return ''
}

/** The ISO 4217 code written as three capital letters at `i` (a whole word), or ''. */
function codeAt(s: string, i: i32): string {
  if (isAsciiLetter(at(s, i - 1)) || isAsciiLetter(at(s, i + 3))) return ''
  const word = s.substring(i, i + 3)
  return CODES.has(word) ? word : ''
}

/** The first currency named anywhere in `s`, or ''. */
export function findCurrency(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const symbol = symbolAt(s, i)
    if (symbol.length > 0) return symbol
    const code = codeAt(s, i)
    if (code.length > 0) return code
  }
  return ''
}

/** The currency right before `start` or right after `end` (spaces between allowed). */
function currencyNear(s: string, start: i32, end: i32): string {
  let i = start - 1
  while (isSpace(at(s, i))) i--
  let found = symbolAt(s, i)
  if (found.length == 0 && i >= 2) found = codeAt(s, i - 2)
  if (found.length > 0) return found
  let j = end
  while (isSpace(at(s, j))) j++
  found = symbolAt(s, j)
  return found.length > 0 ? found : codeAt(s, j)
}

function isGroupMark(c: i32): bool {
  return c == 0x2e || c == 0x2c || c == 0x27 || c == 0x2019 || c == 0x20 || c == 0xa0 || c == 0x202f
}

function digitsFrom(s: string, i: i32): i32 {
  let j = i
  while (isDigit(at(s, j))) j++
  return j - i
}

/** Reads the number at `i`; null when it is a rate (`19%`) or not money-shaped. */
function amountAt(s: string, i: i32): Amount | null {
  const integer = new Array<string>()
  let j = i
  let run = digitsFrom(s, j)
  integer.push(s.substring(j, j + run))
  j += run
  let fraction = ''
  while (isGroupMark(at(s, j)) && isDigit(at(s, j + 1))) {
    const mark = at(s, j)
    run = digitsFrom(s, j + 1)
    const decimalMark = (mark == 0x2e || mark == 0x2c) && run <= 2
    if (decimalMark && !isDigit(at(s, j + 1 + run))) {
      fraction = s.substring(j + 1, j + 1 + run)
      j += 1 + run
      break
    }
    if (run != 3) break
    integer.push(s.substring(j + 1, j + 4))
    j += 4
  }
  let after = j
  while (isSpace(at(s, after))) after++
  if (at(s, after) == 0x25) return null
  let whole = integer.join('')
  while (whole.length > 1 && whole.charCodeAt(0) == 0x30) whole = whole.substring(1)
  while (fraction.length > 0 && fraction.charCodeAt(fraction.length - 1) == 0x30) {
    fraction = fraction.substring(0, fraction.length - 1)
  }
  const decimal = fraction.length > 0 ? whole + '.' + fraction : whole
  const moneyShaped = fraction.length > 0 || integer.length > 1
  return new Amount(decimal, currencyNear(s, i, j), moneyShaped, j)
}

/**
 * The amount in `s` from `from` on: the first with a currency next to it or money-shaped,
 * else the first number at all; null when there is none.
 */
export function findAmount(s: string, from: i32): Amount | null {
  let first: Amount | null = null
  let i = from
  while (i < s.length) {
    const c = at(s, i)
    if (!isDigit(c) || isDigit(at(s, i - 1)) || isAsciiLetter(at(s, i - 1))) {
      i++
      continue
    }
    const amount = amountAt(s, i)
    if (amount === null) {
      while (isDigit(at(s, i)) || isGroupMark(at(s, i))) i++
      continue
    }
    if (amount.currency.length > 0 || amount.moneyShaped) return amount
    if (first === null) first = amount
    i = max(amount.end, i + 1)
  }
  return first
}
