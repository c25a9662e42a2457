/** JSON string escapes: what each stands for, and undoing them in a checked literal. */

/** The code unit a one-letter escape (`\n`, `\"`, ...) stands for; -1 for others. */
export function escapedUnit(c: i32): i32 {
  if (c == 0x22 || c == 0x5c || c == 0x2f) return c
  if (c == 0x62) return 0x08
  if (c == 0x66) return 0x0c
  if (c == 0x6e) return 0x0a
  if (c == 0x72) return 0x0d
  if (c == 0x74) return 0x09
  return -1
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return c - 0x57
}

/**
 * Writes `src[start, end)` with its escape sequences (already checked) undone to
 * `out`, which may be `src` at `start`: every unit is written at or before where
 * it was read.
 */
export function unescapeTo(src: string, start: i32, end: i32, out: usize): void {
  let j: usize = 0
  let i = start
  while (i < end) {
    let c = src.charCodeAt(i++)
    if (c == 0x5c) {
      const e = src.charCodeAt(i++)
      c = escapedUnit(e)
      if (c < 0) {
        c = 0
        for (let k = 0; k < 4; k++) c = (c << 4) | hexValue(src.charCodeAt(i++))
      }
    }
    store<u16>(out + (j << 1), <u16>c)
    j++
  }
}
