/**
 * JSON in and out for a `{text}` request: a small reader that accepts any valid JSON
 * object (unknown members are skipped) and reports errors without exceptions, which
 * AssemblyScript cannot catch, and a string quoter for the result. Shared by the
 * AssemblyScript modules that take `{text}` (redact_pii, invoice_extract); the
 * same reader as summarize_text's, cut down to that one member. Sources only: each
 * module compiles what it imports into its own `.wasm`.
 */

/** The parsed request; `error` is non-empty when the JSON was unusable. */
export class TextRequest {
  text: string = ''
  error: string = ''
}

const MAX_DEPTH = 64

class JsonReader {
  pos: i32 = 0
  error: string = ''

  constructor(public src: string) {}

  fail(message: string): void {
    if (this.error.length == 0) this.error = message + ' at offset ' + this.pos.toString()
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

  readString(): string {
    if (!this.expect(0x22)) return ''
    const s = this.src
    const parts = new Array<string>()
    let runStart = this.pos
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos)
      if (c == 0x22) {
        parts.push(s.substring(runStart, this.pos))
        this.pos++
        return parts.join('')
      }
      if (c < 0x20) {
        this.fail('control character in string')
        return ''
      }
      if (c == 0x5c) {
        parts.push(s.substring(runStart, this.pos))
        const escaped = this.readEscape()
        if (this.error.length > 0) return ''
        parts.push(escaped)
        runStart = this.pos
        continue
      }
      this.pos++
    }
    this.fail('unterminated string')
    return ''
  }

  /** Reads one escape sequence; `pos` is at the backslash. */
  readEscape(): string {
    const s = this.src
    this.pos++
    if (this.pos >= s.length) {
      this.fail('unterminated escape')
      return ''
    }
    const c = s.charCodeAt(this.pos)
    this.pos++
    if (c == 0x22) return '"'
    if (c == 0x5c) return '\\'
    if (c == 0x2f) return '/'
    if (c == 0x62) return '\b'
    if (c == 0x66) return '\f'
    if (c == 0x6e) return '\n'
    if (c == 0x72) return '\r'
    if (c == 0x74) return '\t'
    if (c == 0x75) {
      const unit = this.readHex4()
      return unit < 0 ? '' : String.fromCharCode(unit)
    }
    this.fail('invalid escape')
    return ''
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

  skipNumber(): void {
    this.skipSpace()
    const s = this.src
    if (this.peek() == 0x2d) this.pos++
    const digitsStart = this.pos
    while (this.pos < s.length && isDigit(s.charCodeAt(this.pos))) this.pos++
    const intDigits = this.pos - digitsStart
    if (intDigits == 0 || (intDigits > 1 && s.charCodeAt(digitsStart) == 0x30)) {
      this.fail('invalid number')
      return
    }
    if (this.peek() == 0x2e) {
      this.pos++
      if (!this.skipDigits()) return
    }
    if (this.peek() == 0x65 || this.peek() == 0x45) {
      this.pos++
      if (this.peek() == 0x2b || this.peek() == 0x2d) this.pos++
      this.skipDigits()
    }
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
    if (c == 0x22) this.readString()
    else if (c == 0x7b) this.skipContainer(0x7d, true, depth)
    else if (c == 0x5b) this.skipContainer(0x5d, false, depth)
    else if (c == 0x74) this.readLiteral('true')
    else if (c == 0x66) this.readLiteral('false')
    else if (c == 0x6e) this.readLiteral('null')
    else this.skipNumber()
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
        this.readString()
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

/** Parses `{text: string, ...}`; sets `error` instead of throwing. */
export function parseTextRequest(src: string): TextRequest {
  const request = new TextRequest()
  const reader = new JsonReader(src)
  let hasText = false
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
      reader.skipSpace()
      if (key == 'text') {
        if (reader.peek() != 0x22) {
          reader.fail('text must be a string')
          break
        }
        request.text = reader.readString()
        hasText = true
      } else {
        reader.skipValue(1)
      }
      reader.skipSpace()
      const c = reader.peek()
      reader.pos++
      if (c == 0x7d) break
      if (c != 0x2c) reader.fail('expected , or }')
    }
  }
  reader.skipSpace()
  if (reader.error.length == 0 && reader.pos < src.length) reader.fail('trailing characters')
  if (reader.error.length == 0 && !hasText) reader.fail('text is required')
  request.error = reader.error
  return request
}

/** Writes `value` as a JSON string literal. */
export function quoteJson(value: string): string {
  const parts = new Array<string>()
  parts.push('"')
  let runStart = 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c >= 0x20 && c != 0x22 && c != 0x5c) continue
    parts.push(value.substring(runStart, i))
    if (c == 0x22) parts.push('\\"')
    else if (c == 0x5c) parts.push('\\\\')
    else if (c == 0x0a) parts.push('\\n')
    else if (c == 0x0d) parts.push('\\r')
    else if (c == 0x09) parts.push('\\t')
    else parts.push('\\u00' + (c < 0x10 ? '0' : '') + c.toString(16))
    runStart = i + 1
  }
  parts.push(value.substring(runStart))
  parts.push('"')
  return parts.join('')
}
