/**
 * Lower-casing a range of code units into a reusable scratch buffer: the same
 * mapping as `String#toLowerCase` (its loop, taken from AssemblyScript's
 * std/assembly/string.ts, special casing and the final sigma included) without a
 * new string per word. The tokenizer and the abbreviation check lower-case every
 * word, so this is the hot path that allocated most.
 */
// AssemblyScript library paths, which the TypeScript resolver cannot follow.
// eslint-disable-next-line import-x/no-unresolved
import { casemap } from '~lib/util/casemap'
// eslint-disable-next-line import-x/no-unresolved
import { isFinalSigma, toLower8 } from '~lib/util/string'

// AssemblyScript parses no type-only imports.
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
import { Text } from './text'

let scratch: usize = 0
let scratchUnits: i32 = 0

/** The scratch buffer `lowerInScratch` wrote to; valid until its next call. */
export function scratchPointer(): usize {
  return scratch
}

/** Makes room for `units` code units in the scratch buffer (its contents are not kept). */
function reserve(units: i32): void {
  if (units <= scratchUnits) return
  let grown = max(scratchUnits, 64)
  while (grown < units) grown <<= 1
  if (scratch != 0) heap.free(scratch)
  scratch = heap.alloc((<usize>grown) << 1)
  scratchUnits = grown
}

/** Lower-cases `text[start, end)` into the scratch buffer; returns the units written. */
export function lowerInScratch(text: Text, start: i32, end: i32): i32 {
  const len = end - start
  // Lower-casing at most doubles the length (U+0130 becomes two units).
  reserve(len << 1)
  const src = text.address(start)
  const codes = scratch
  let ascii = true
  for (let i: i32 = 0; i < len; i++) {
    const c = <u32>load<u16>(src + ((<usize>i) << 1))
    if (c >= 0x80) {
      ascii = false
      break
    }
    store<u16>(codes + ((<usize>i) << 1), toLower8(c))
  }
  if (ascii) return len
  return lowerSlow(src, <usize>len, codes)
}

/** `String#toLowerCase`'s loop, writing to `codes`. */
function lowerSlow(src: usize, len: usize, codes: usize): i32 {
  let j: usize = 0
  for (let i: usize = 0; i < len; ++i, ++j) {
    let c = <u32>load<u16>(src + (i << 1))
    if (c < 0x80) {
      store<u16>(codes + (j << 1), toLower8(c))
      continue
    }
    // A surrogate pair (the bounds are AssemblyScript's, kept so the mapping is identical).
    if (c - 0xd7ff < 0xdc00 - 0xd7ff && i < len - 1) {
      const c1 = <u32>load<u16>(src + (i << 1), 2)
      if (c1 - 0xdbff < 0xe000 - 0xdbff) {
        const c0 = c
        c = (((c & 0x03ff) << 10) | (c1 & 0x03ff)) + 0x10000
        i += 1
        if (c >= 0x20000) {
          store<u32>(codes + (j << 1), c0 | (c1 << 16))
          j += 1
          continue
        }
      }
    }
    if (c == 0x0130) {
      store<u32>(codes + (j << 1), (0x0307 << 16) | 0x0069)
      j += 1
    } else if (c == 0x03a3) {
      let sigma = 0x03c3
      if (len > 1 && isFinalSigma(src, <isize>i, <isize>len)) sigma = 0x03c2
      store<u16>(codes + (j << 1), sigma)
    } else if (c - 0x24b6 <= 0x24cf - 0x24b6) {
      store<u16>(codes + (j << 1), c + 26)
    } else {
      let code = casemap(c, 0) & 0x1fffff
      if (code < 0x10000) {
        store<u16>(codes + (j << 1), code)
      } else {
        code -= 0x10000
        const lo = (code >>> 10) | 0xd800
        const hi = (code & 0x03ff) | 0xdc00
        store<u32>(codes + (j << 1), lo | (hi << 16))
        j += 1
      }
    }
  }
  return <i32>j
}
