/**
 * Writes the result to stdout as JSON in UTF-8, straight from the text's code
 * units: no summary string, no quoted copy and no UTF-8 copy of it are made. The
 * bytes are those `process.stdout.write(quoteJson(...))` wrote (lone surrogates
 * as WTF-8, like `String.UTF8.encode`), flushed in chunks of a fixed buffer.
 */
// An AssemblyScript library path (the WASI shim's raw bindings).
/* eslint-disable import-x/no-unresolved */
import { fd_write } from '~lib/bindings/wasi_snapshot_preview1'
/* eslint-enable import-x/no-unresolved */
import { isSpace } from './chars'
// AssemblyScript parses no type-only imports.
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
import { Text } from './text'

const STDOUT: u32 = 1
/** Room kept free at the end for the longest write of one code unit (`\u001f`, 6 bytes). */
const SLACK: usize = 8
let buffer: usize = 0
let capacity: usize = 0
/** One iovec (pointer, length) and the count of bytes written. */
const iovec = memory.data(16)
let length: usize = 0

/**
 * Hands the writer its buffer, `bytes` long (more than {@link SLACK}). The request's
 * raw bytes are dead once decoded, so their buffer serves: no fresh page is touched.
 */
export function useBuffer(ptr: usize, bytes: usize): void {
  buffer = ptr
  capacity = bytes
  length = 0
}

/** Writes out what is buffered. */
export function flush(): void {
  if (length == 0) return
  store<usize>(iovec, buffer)
  store<usize>(iovec, length, sizeof<usize>())
  const err = fd_write(STDOUT, iovec, 1, iovec + 2 * sizeof<usize>())
  length = 0
  if (err) throw new Error('writing stdout failed with WASI errno ' + decimal(err))
}

function room(): void {
  if (length > capacity - SLACK) flush()
}

function byte(b: u32): void {
  store<u8>(buffer + length, <u8>b)
  length++
}

/** Writes ASCII text as it is (the JSON punctuation around the values). */
export function writeAscii(s: string): void {
  for (let i = 0; i < s.length; i++) {
    room()
    byte(<u32>s.charCodeAt(i))
  }
}

/** Writes a non-negative integer in decimal. */
export function writeInteger(value: i32): void {
  writeAscii(decimal(value))
}

/**
 * `value` in decimal, as `value.toString()` writes it; written out here so the
 * module does without the standard library's digit tables (static data every
 * instance copies).
 */
export function decimal(value: i32): string {
  if (value == 0) return '0'
  let digits = 0
  for (let rest = value; rest != 0; rest /= 10) digits++
  const negative = value < 0
  const out = changetype<string>(__new((<usize>(digits + i32(negative))) << 1, idof<string>()))
  let at = changetype<usize>(out) + ((<usize>(digits + i32(negative))) << 1)
  for (let rest = value; rest != 0; rest /= 10) {
    at -= 2
    store<u16>(at, 0x30 + abs(rest % 10))
  }
  if (negative) store<u16>(changetype<usize>(out), 0x2d)
  return out
}

function hexDigit(d: u32): u32 {
  return d < 10 ? 0x30 + d : 0x57 + d
}

/**
 * Writes `len` code units at `src` as the inside of a JSON string literal, escaped
 * as `quoteJson` escapes and encoded as `String.UTF8.encode` encodes.
 */
export function writeJsonUnits(src: usize, len: i32): void {
  const end = src + ((<usize>len) << 1)
  let p = src
  while (p < end) {
    room()
    let c = <u32>load<u16>(p)
    p += 2
    if (c < 0x80) {
      if (c >= 0x20 && c != 0x22 && c != 0x5c) byte(c)
      else if (c == 0x22 || c == 0x5c) {
        byte(0x5c)
        byte(c)
      } else if (c == 0x0a) {
        byte(0x5c)
        byte(0x6e)
      } else if (c == 0x0d) {
        byte(0x5c)
        byte(0x72)
      } else if (c == 0x09) {
        byte(0x5c)
        byte(0x74)
      } else {
        byte(0x5c)
        byte(0x75)
        byte(0x30)
        byte(0x30)
        byte(hexDigit(c >> 4))
        byte(hexDigit(c & 15))
      }
    } else if (c < 0x800) {
      byte((c >> 6) | 0xc0)
      byte((c & 63) | 0x80)
    } else {
      if ((c & 0xfc00) == 0xd800 && p < end) {
        const c2 = <u32>load<u16>(p)
        if ((c2 & 0xfc00) == 0xdc00) {
          p += 2
          c = 0x10000 + (((c & 0x03ff) << 10) | (c2 & 0x03ff))
          byte((c >> 18) | 0xf0)
          byte(((c >> 12) & 63) | 0x80)
          byte(((c >> 6) & 63) | 0x80)
          byte((c & 63) | 0x80)
          continue
        }
      }
      byte((c >> 12) | 0xe0)
      byte(((c >> 6) & 63) | 0x80)
      byte((c & 63) | 0x80)
    }
  }
}

/** Writes `text[start, end)` with white-space runs collapsed to one space, as JSON string content. */
export function writeCollapsed(text: Text, start: i32, end: i32): void {
  let runStart = start
  let i = start
  while (i < end) {
    if (!isSpace(text.at(i))) {
      i++
      continue
    }
    writeJsonUnits(text.address(runStart), i - runStart)
    writeAscii(' ')
    while (i < end && isSpace(text.at(i))) i++
    runStart = i
  }
  writeJsonUnits(text.address(runStart), end - runStart)
}
