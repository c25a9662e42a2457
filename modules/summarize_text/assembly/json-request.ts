/**
 * A small JSON reader for this module's one request shape, `{text, max_sentences?,
 * max_chars?}`. Hand-written rather than json-as: json-as needs a compiler transform
 * and its own runtime conventions, while this reader is ~200 lines, accepts any valid
 * JSON (unknown members are skipped), and reports errors without exceptions, which
 * AssemblyScript cannot catch.
 */

import { escapedUnit, unescapeTo } from './json-escapes'
import { decimal } from './json-output'
import { Text } from './text'

/** The parsed request; `error` is non-empty when the JSON was unusable. */
export class SummarizeRequest {
  text: Text = new Text('', 0, 0)
  hasText: bool = false
  maxSentences: i32 = 3
  /** 0 when absent. */
  maxChars: i32 = 0
  error: string = ''
}

const MAX_DEPTH = 64

class JsonReader {
  pos: i32 = 0
  error: string = ''

  constructor(public src: string) {}

  fail(message: string): void {
    if (this.error.length == 0) this.error = message + ' at offset ' + decimal(this.pos)
  }

  skipSpace(): void {
    const s = this.src
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos)
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break
      this.pos++
    }
  }

  peek(): i32 {
    return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1
  }

  expect(c: i32): bool {
    this.skipSpace()
    if (this.peek() != c) {
      this.fail('expected ' + String.fromCharCode(c))
      return false
    }
    this.pos++
    return true
  }

  // The raw contents of the last string literal scanned, and how many escapes it holds.
  valueStart: i32 = 0
  valueEnd: i32 = 0
  escapes: i32 = 0

  /**
   * Scans a string literal and checks it (errors come in the order and at the
   * offsets they are met); returns the length of its value, or -1 after an error.
   */
  scanString(): i32 {
    if (!this.expect(0x22)) return -1
    const s = this.src
    const start = this.pos
    // Each escape sequence stands for one code unit.
    let escapes = 0
    let escapedUnits = 0
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos)
      if (c == 0x22) {
        this.valueStart = start
        this.valueEnd = this.pos
        this.escapes = escapes
        this.pos++
        return this.valueEnd - start - escapedUnits + escapes
      }
      if (c < 0x20) {
        this.fail('control character in string')
        return -1
      }
      if (c == 0x5c) {
        const escapeStart = this.pos
        this.readEscape()
        if (this.error.length > 0) return -1
        escapes++
        escapedUnits += this.pos - escapeStart
        continue
      }
      this.pos++
    }
    this.fail('unterminated string')
    return -1
  }

  /** Reads a string literal as a new string ('' after an error). */
  readString(): string {
    const length = this.scanString()
    if (length < 0) return ''
    if (this.escapes == 0) return this.src.substring(this.valueStart, this.valueEnd)
    const value = changetype<string>(__new((<usize>length) << 1, idof<string>()))
    unescapeTo(this.src, this.valueStart, this.valueEnd, changetype<usize>(value))
    return value
  }

  /**
   * Reads a string literal without copying it: its escapes are undone inside
   * `src` itself (a value is never longer than its literal, and the reader never
   * goes back), and the value is returned as a view of `src`.
   */
  readStringInPlace(): Text {
    const length = this.scanString()
    if (length < 0) return new Text('', 0, 0)
    const start = this.valueStart
    if (this.escapes > 0) {
      unescapeTo(
        this.src,
        start,
        this.valueEnd,
        changetype<usize>(this.src) + ((<usize>start) << 1),
      )
    }
    return new Text(this.src, start, length)
  }

  /** Reads one escape sequence; `pos` is at the backslash. Returns its code unit, or -1. */
  readEscape(): i32 {
    const s = this.src
    this.pos++
    if (this.pos >= s.length) {
      this.fail('unterminated escape')
      return -1
    }
    const c = s.charCodeAt(this.pos)
    this.pos++
    const unit = escapedUnit(c)
    if (unit >= 0) return unit
    if (c == 0x75) return this.readHex4()
    this.fail('invalid escape')
    return -1
  }

  readHex4(): i32 {
    const s = this.src
    if (this.pos + 4 > s.length) {
      this.fail('short unicode escape')
      return -1
    }
    let value = 0
    for (let i = 0; i < 4; i++) {
      const c = s.charCodeAt(this.pos + i)
      let digit = -1
      if (c >= 0x30 && c <= 0x39) digit = c - 0x30
      else if (c >= 0x41 && c <= 0x46) digit = c - 0x37
      else if (c >= 0x61 && c <= 0x66) digit = c - 0x57
      if (digit < 0) {
        this.fail('invalid unicode escape')
        return -1
      }
      value = (value << 4) | digit
    }
    this.pos += 4
    return value
  }

  /** Reads a JSON number and returns its value; NaN after an error. */
  readNumber(): f64 {
    this.skipSpace()
    const s = this.src
    const start = this.pos
    if (this.peek() == 0x2d) this.pos++
    const digitsStart = this.pos
    while (this.pos < s.length && isDigit(s.charCodeAt(this.pos))) this.pos++
    const intDigits = this.pos - digitsStart
    if (intDigits == 0 || (intDigits > 1 && s.charCodeAt(digitsStart) == 0x30)) {
      this.fail('invalid number')
      return NaN
    }
    if (this.peek() == 0x2e) {
      this.pos++
      if (!this.skipDigits()) return NaN
    }
    if (this.peek() == 0x65 || this.peek() == 0x45) {
      this.pos++
      if (this.peek() == 0x2b || this.peek() == 0x2d) this.pos++
      if (!this.skipDigits()) return NaN
    }
    return parseFloat(s.substring(start, this.pos))
  }

  skipDigits(): bool {
    const start = this.pos
    while (this.pos < this.src.length && isDigit(this.src.charCodeAt(this.pos))) this.pos++
    if (this.pos == start) {
      this.fail('invalid number')
      return false
    }
    return true
  }

  readLiteral(word: string): void {
    if (this.src.substring(this.pos, this.pos + word.length) != word) {
      this.fail('unexpected token')
      return
    }
    this.pos += word.length
  }

  /** Skips any JSON value (for members this module does not use). */
  skipValue(depth: i32): void {
    if (depth > MAX_DEPTH) {
      this.fail('nesting too deep')
      return
    }
    this.skipSpace()
    const c = this.peek()
    if (c == 0x22) this.scanString()
    else if (c == 0x7b) this.skipContainer(0x7d, true, depth)
    else if (c == 0x5b) this.skipContainer(0x5d, false, depth)
    else if (c == 0x74) this.readLiteral('true')
    else if (c == 0x66) this.readLiteral('false')
    else if (c == 0x6e) this.readLiteral('null')
    else this.readNumber()
  }

  skipContainer(close: i32, isObject: bool, depth: i32): void {
    this.pos++
    this.skipSpace()
    if (this.peek() == close) {
      this.pos++
      return
    }
    while (this.error.length == 0) {
      if (isObject) {
        this.scanString()
        if (!this.expect(0x3a)) return
      }
      this.skipValue(depth + 1)
      this.skipSpace()
      const c = this.peek()
      this.pos++
      if (c == close) return
      if (c != 0x2c) this.fail('expected , or closing bracket')
    }
  }
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39
}

function readIntegerMember(reader: JsonReader, name: string, min: i32, max: i32): i32 {
  const value = reader.readNumber()
  if (reader.error.length > 0) return 0
  if (!(value >= <f64>min && value <= <f64>max) || Math.floor(value) != value) {
    reader.fail(name + ' must be an integer from ' + decimal(min) + ' to ' + decimal(max))
    return 0
  }
  return <i32>value
}

function readMember(reader: JsonReader, request: SummarizeRequest, key: string): void {
  reader.skipSpace()
  if (key == 'text') {
    if (reader.peek() != 0x22) {
      reader.fail('text must be a string')
      return
    }
    request.text = reader.readStringInPlace()
    request.hasText = true
  } else if (key == 'max_sentences') {
    request.maxSentences = readIntegerMember(reader, key, 1, 20)
  } else if (key == 'max_chars') {
    request.maxChars = readIntegerMember(reader, key, 1, 1 << 20)
  } else {
    reader.skipValue(1)
  }
}

/** Parses the request document; sets `error` instead of throwing. */
export function parseRequest(src: string): SummarizeRequest {
  const request = new SummarizeRequest()
  const reader = new JsonReader(src)
  if (!reader.expect(0x7b)) {
    request.error = 'request must be a JSON object'
    return request
  }
  reader.skipSpace()
  if (reader.peek() == 0x7d) reader.pos++
  else {
    while (reader.error.length == 0) {
      const key = reader.readString()
      if (!reader.expect(0x3a)) break
      readMember(reader, request, key)
      reader.skipSpace()
      const c = reader.peek()
      reader.pos++
      if (c == 0x7d) break
      if (c != 0x2c) reader.fail('expected , or }')
    }
  }
  reader.skipSpace()
  if (reader.error.length == 0 && reader.pos < src.length) reader.fail('trailing characters')
  if (reader.error.length == 0 && !request.hasText) reader.fail('text is required')
  request.error = reader.error
  return request
}
