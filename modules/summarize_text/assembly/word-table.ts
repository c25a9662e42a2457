/**
 * A set of words, numbered in the order they were added, that is searched by a
 * range of code units rather than by a string, so looking a word up allocates
 * nothing. Open addressing on an FNV-1a hash; the words themselves sit end to
 * end in one buffer.
 */

const FNV_OFFSET: u32 = 0x811c9dc5
const FNV_PRIME: u32 = 0x01000193
const FIBONACCI: u32 = 0x9e3779b9

function hashOf(ptr: usize, length: i32): u32 {
  let h = FNV_OFFSET
  for (let i: i32 = 0; i < length; i++)
    h = (h ^ (<u32>load<u16>(ptr + ((<usize>i) << 1)))) * FNV_PRIME
  return h
}

export class WordTable {
  /** Per slot, the id + 1 of the word there; 0 when free. */
  private slots: StaticArray<i32>
  private shift: u32
  /** Word `id` is `keys[keyStarts[id], keyStarts[id + 1])`. */
  private keyStarts: Array<i32> = [0]
  private keys: usize
  private keysCapacity: i32
  /** How many words the table holds; ids run from 0 to `count - 1`. */
  count: i32 = 0

  /** `slotBits`: log2 of the initial slot count (twice the words expected, or more). */
  constructor(slotBits: u32) {
    this.slots = new StaticArray<i32>(1 << slotBits)
    this.shift = 32 - slotBits
    this.keysCapacity = 1 << slotBits
    this.keys = heap.alloc((<usize>this.keysCapacity) << 1)
  }

  /** The id of the word held at `ptr` (`length` code units), or -1 when absent. */
  find(ptr: usize, length: i32): i32 {
    return unchecked(this.slots[this.slotOf(ptr, length, hashOf(ptr, length))]) - 1
  }

  /** The id of the word held at `ptr`, adding it when absent. */
  intern(ptr: usize, length: i32): i32 {
    const slot = this.slotOf(ptr, length, hashOf(ptr, length))
    const found = unchecked(this.slots[slot])
    if (found != 0) return found - 1
    const id = this.count++
    this.appendKey(ptr, length)
    unchecked((this.slots[slot] = id + 1))
    if (this.count << 1 > this.slots.length) this.grow()
    return id
  }

  /** Adds each white-space-separated word of `words` (ASCII); returns the count after. */
  addAll(words: string): i32 {
    const base = changetype<usize>(words)
    let i = 0
    while (i < words.length) {
      while (i < words.length && words.charCodeAt(i) <= 0x20) i++
      const start = i
      while (i < words.length && words.charCodeAt(i) > 0x20) i++
      if (i > start) this.intern(base + ((<usize>start) << 1), i - start)
    }
    return this.count
  }

  /** The slot that holds the word, or the free slot where it would go. */
  private slotOf(ptr: usize, length: i32, hash: u32): i32 {
    const mask = this.slots.length - 1
    let slot = <i32>((hash * FIBONACCI) >>> this.shift)
    while (true) {
      const entry = unchecked(this.slots[slot])
      if (entry == 0 || this.keyEquals(entry - 1, ptr, length)) return slot
      slot = (slot + 1) & mask
    }
  }

  private keyEquals(id: i32, ptr: usize, length: i32): bool {
    const start = unchecked(this.keyStarts[id])
    if (unchecked(this.keyStarts[id + 1]) - start != length) return false
    return memory.compare(this.keys + ((<usize>start) << 1), ptr, (<usize>length) << 1) == 0
  }

  private appendKey(ptr: usize, length: i32): void {
    const start = unchecked(this.keyStarts[this.count - 1])
    const end = start + length
    if (end > this.keysCapacity) {
      let capacity = this.keysCapacity << 1
      while (capacity < end) capacity <<= 1
      this.keys = heap.realloc(this.keys, (<usize>capacity) << 1)
      this.keysCapacity = capacity
    }
    memory.copy(this.keys + ((<usize>start) << 1), ptr, (<usize>length) << 1)
    this.keyStarts.push(end)
  }

  /** Doubles the slots and puts every word back. */
  private grow(): void {
    const slots = new StaticArray<i32>(this.slots.length << 1)
    const shift = this.shift - 1
    const mask = slots.length - 1
    for (let id = 0; id < this.count; id++) {
      const start = unchecked(this.keyStarts[id])
      const ptr = this.keys + ((<usize>start) << 1)
      const hash = hashOf(ptr, unchecked(this.keyStarts[id + 1]) - start)
      let slot = <i32>((hash * FIBONACCI) >>> shift)
      while (unchecked(slots[slot]) != 0) slot = (slot + 1) & mask
      unchecked((slots[slot] = id + 1))
    }
    this.slots = slots
    this.shift = shift
  }
}
