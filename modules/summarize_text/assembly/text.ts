/**
 * The request's text, read where it lies: a run of UTF-16 code units inside the
 * decoded request (its escapes undone in place), so the text is never copied.
 * Indices are code units, as with a string; `at` does no bounds check, and every
 * caller stays within `[0, length)`.
 */
export class Text {
  /** Where unit 0 is. */
  readonly ptr: usize

  /** `owner` holds the units from `start` on; keeping it referenced keeps them alive. */
  constructor(
    readonly owner: string,
    start: i32,
    readonly length: i32,
  ) {
    this.ptr = changetype<usize>(owner) + ((<usize>start) << 1)
  }

  /** The code unit at `i`. */
  at(i: i32): i32 {
    return <i32>load<u16>(this.ptr + ((<usize>i) << 1))
  }

  /** The address of the code unit at `i`. */
  address(i: i32): usize {
    return this.ptr + ((<usize>i) << 1)
  }

  /** `[start, end)` as a new string. */
  slice(start: i32, end: i32): string {
    return String.UTF16.decodeUnsafe(this.address(start), (<usize>(end - start)) << 1)
  }
}
