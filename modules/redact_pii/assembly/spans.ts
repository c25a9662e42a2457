/** Found spans and the coverage that keeps them from overlapping. */

/** One redacted range `[start, end)` of the input, in UTF-16 code units. */
export class Span {
  constructor(
    public start: i32,
    public end: i32,
    public type: string,
  ) {}

  get replacement(): string {
    return '[' + this.type.toUpperCase() + ']'
  }
}

/**
 * The spans found so far. Detectors run from the most specific (e-mail) to the least
 * (names); a later detector never takes code units an earlier one claimed.
 */
export class Claims {
  spans: Span[] = []
  private taken: Uint8Array

  constructor(length: i32) {
    this.taken = new Uint8Array(length)
  }

  isFree(start: i32, end: i32): bool {
    for (let i = start; i < end; i++) if (this.taken[i] != 0) return false
    return true
  }

  isTaken(i: i32): bool {
    return i >= 0 && i < this.taken.length && this.taken[i] != 0
  }

  /** Claims `[start, end)` for `type` unless part of it is already taken. */
  claim(start: i32, end: i32, type: string): bool {
    if (end <= start || !this.isFree(start, end)) return false
    for (let i = start; i < end; i++) this.taken[i] = 1
    this.spans.push(new Span(start, end, type))
    return true
  }
}

function byStart(a: Span, b: Span): i32 {
  return a.start - b.start
}

/** The spans in text order. */
export function sorted(spans: Span[]): Span[] {
  const copy = spans.slice(0)
  copy.sort(byStart)
  return copy
}
