/**
 * Dates as invoices print them, turned into ISO `YYYY-MM-DD`: `2024-03-15`,
 * `15.03.2024`, `03/15/2024` or `15/03/2024` (month first only when the day
 * cannot be the month, or `monthFirst` says so: US invoices), `15 March 2024`,
 * `March 15, 2024`, `15-Mar-2024`, `15. März 2024`. Impossible dates (`31.02.`)
 * are not dates.
 */
import { asciiLower, at, isDigit, isLetter, isSpace } from './text'

const MONTHS = new Map<string, i32>()

function fillMonths(): void {
  const names = [
    'january february march april may june july august september october november december',
    'jan feb mar apr may jun jul aug sep oct nov dec',
    'januar februar märz april mai juni juli august september oktober november dezember',
    'jan feb mär apr mai jun jul aug sept okt nov dez',
    'janvier février mars avril mai juin juillet août septembre octobre novembre décembre',
  ]
  for (let row = 0; row < names.length; row++) {
    const words = names[row].split(' ')
    for (let m = 0; m < words.length; m++) MONTHS.set(words[m], m + 1)
  }
  MONTHS.set('sept', 9)
  MONTHS.set('maerz', 3)
}
fillMonths()

function daysIn(year: i32, month: i32): i32 {
  if (month == 2) return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31
}

function pad(value: i32, width: i32): string {
  let s = value.toString()
  while (s.length < width) s = '0' + s
  return s
}

/** ISO form of the date, or '' when it does not exist. */
export function isoDate(year: i32, month: i32, day: i32): string {
  if (year < 1900 || year > 2199 || month < 1 || month > 12) return ''
  if (day < 1 || day > daysIn(year, month)) return ''
  return pad(year, 4) + '-' + pad(month, 2) + '-' + pad(day, 2)
}

/** A run of digits at `i`: its value and length. */
class Digits {
  constructor(
    public value: i32,
    public length: i32,
  ) {}
}

function digitsAt(s: string, i: i32): Digits {
  let value = 0
  let j = i
  while (j < s.length && isDigit(s.charCodeAt(j)) && j - i < 5) {
    value = value * 10 + (s.charCodeAt(j) - 0x30)
    j++
  }
  return new Digits(value, j - i)
}

function isDateSeparator(c: i32): bool {
  return c == 0x2e || c == 0x2f || c == 0x2d || c == 0x2c
}

/** Reads `a sep b sep c` of digits at `i`; the date or ''. */
function numericDate(s: string, i: i32, monthFirst: bool): string {
  const a = digitsAt(s, i)
  let j = i + a.length
  if (!isDateSeparator(at(s, j))) return ''
  const b = digitsAt(s, j + 1)
  if (b.length == 0 || b.length > 2) return ''
  j += 1 + b.length
  if (!isDateSeparator(at(s, j))) return ''
  const c = digitsAt(s, j + 1)
  if (isDigit(at(s, j + 1 + c.length))) return ''
  if (a.length == 4 && c.length <= 2) return isoDate(a.value, b.value, c.value)
  if (a.length > 2 || c.length != 4) return ''
  const slashOrDash = at(s, i + a.length) != 0x2e
  // Day first unless the first part cannot be a day but the second can be, or a US invoice.
  if (slashOrDash && (b.value > 12 || (monthFirst && a.value <= 12))) {
    return isoDate(c.value, a.value, b.value)
  }
  return isoDate(c.value, b.value, a.value)
}

/** The month named by the word at `i` (lower case), and where the word ends; 0 when none. */
function monthAt(lower: string, i: i32): i32 {
  let end = i
  while (end < lower.length && isLetter(at(lower, end))) end++
  const word = lower.substring(i, end)
  return MONTHS.has(word) ? MONTHS.get(word) : 0
}

function wordEnd(lower: string, i: i32): i32 {
  let end = i
  while (end < lower.length && isLetter(at(lower, end))) end++
  return end
}

function skipFiller(s: string, i: i32): i32 {
  let j = i
  while (j < s.length) {
    const c = s.charCodeAt(j)
    if (isSpace(c) || c == 0x2e || c == 0x2c || c == 0x2d) j++
    else break
  }
  return j
}

/** `15 March 2024`, `15-Mar-2024`, `15. März 2024` at `i`; the date or ''. */
function dayMonthYear(lower: string, i: i32): string {
  const day = digitsAt(lower, i)
  if (day.length == 0 || day.length > 2) return ''
  const m = skipFiller(lower, i + day.length)
  const month = monthAt(lower, m)
  if (month == 0) return ''
  const y = skipFiller(lower, wordEnd(lower, m))
  const year = digitsAt(lower, y)
  if (year.length != 4 || isDigit(at(lower, y + 4))) return ''
  return isoDate(year.value, month, day.value)
}

/** `March 15, 2024`, `Mar. 15 2024` at `i`; the date or ''. */
function monthDayYear(lower: string, i: i32): string {
  const month = monthAt(lower, i)
  if (month == 0) return ''
  const d = skipFiller(lower, wordEnd(lower, i))
  const day = digitsAt(lower, d)
  if (day.length == 0 || day.length > 2) return ''
  let y = d + day.length
  // Ordinal suffixes: `March 1st, 2024`.
  while (isLetter(at(lower, y)) && y - d - day.length < 2) y++
  y = skipFiller(lower, y)
  const year = digitsAt(lower, y)
  if (year.length != 4 || isDigit(at(lower, y + 4))) return ''
  return isoDate(year.value, month, day.value)
}

/** The first date in `s`, as ISO, or ''. */
export function findDate(s: string, monthFirst: bool): string {
  const lower = asciiLower(s).toLowerCase()
  // toLowerCase may change the length of exotic text; offsets then come from the ASCII fold.
  const text = lower.length == s.length ? lower : asciiLower(s)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const boundary = i == 0 || !(isDigit(at(text, i - 1)) || isLetter(at(text, i - 1)))
    if (!boundary) continue
    let date = ''
    if (isDigit(c)) {
      date = numericDate(text, i, monthFirst)
      if (date.length == 0) date = dayMonthYear(text, i)
    } else if (isLetter(c)) {
      date = monthDayYear(text, i)
    }
    if (date.length > 0) return date
  }
  return ''
}
