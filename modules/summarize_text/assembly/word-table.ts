/**
 * A set of words, numbered in the order they were added, that is searched by a
 * range of code units rather than by a string, so looking a word up allocates
 * nothing. Open addressing on an FNV-1a hash, at most half full; the words sit
 * end to end in one buffer. Its buffers are sized for the slots, so filling a
 * fresh table with fewer words than half its slots allocates nothing more.
 */

const FNV_OFFSET: u32 = 0x811c9dc5
const FNV_PRIME: u32 = 0x01000193
const FIBONACCI: u32 = 0x9e3779b9

function hashOf(ptr: usize, length: i32): u32 {
  let h = FNV_OFFSET
  const end = ptr + ((<usize>length) << 1)
  for (let p = ptr; p < end; p += 2) h = (h ^ (<u32>load<u16>(p))) * FNV_PRIME
  return h
}

/** `count` zeroed 32-bit cells. */
function zeroedCells(count: i32): usize {
  const cells = heap.alloc((<usize>count) << 2)
  memory.fill(cells, 0, (<usize>count) << 2)
  return cells
}

export class WordTable {
  /** Per slot, the id + 1 of the word there; 0 when free. */
  private slots: usize
  private slotCount: i32
  private shift: u32
  /** Word `id` is `keys[starts[id], starts[id + 1])` (i32 cells, room for slotCount / 2 + 1). */
  private starts: usize
  private keys: usize
  private keysCapacity: i32
  /** How many words the table holds; ids run from 0 to `count - 1`. */
  count: i32 = 0

  /** `slotBits`: log2 of the initial slot count, which should be twice the words expected. */
  constructor(slotBits: u32) {
    this.slotCount = 1 << slotBits
    this.shift = 32 - slotBits
    this.slots = zeroedCells(this.slotCount)
    this.starts = heap.alloc((<usize>((this.slotCount >> 1) + 1)) << 2)
    store<i32>(this.starts, 0)
    // Room for eight code units a word (at most slotCount / 2 words) before the buffer grows;
    // the part never written is never touched, so it costs nothing.
    this.keysCapacity = this.slotCount << 2
    this.keys = heap.alloc((<usize>this.keysCapacity) << 1)
  }

  /** The id of the word held at `ptr` (`length` code units), or -1 when absent. */
  find(ptr: usize, length: i32): i32 {
    return load<i32>(this.slotOf(ptr, length, hashOf(ptr, length))) - 1
  }

  /** The id of the word held at `ptr`, adding it when absent. */
  intern(ptr: usize, length: i32): i32 {
    const slot = this.slotOf(ptr, length, hashOf(ptr, length))
    const found = load<i32>(slot)
    if (found != 0) return found - 1
    const id = this.count++
    this.appendKey(ptr, length)
    store<i32>(slot, id + 1)
    if (this.count << 1 >= this.slotCount) this.grow()
    return id
  }

  /** Adds each white-space-separated word of `words`; returns the count after. */
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

  private start(id: i32): i32 {
    return load<i32>(this.starts + ((<usize>id) << 2))
  }

  /** The address of the slot that holds the word, or of the free slot where it would go. */
  private slotOf(ptr: usize, length: i32, hash: u32): usize {
    const mask = this.slotCount - 1
    let slot = <i32>((hash * FIBONACCI) >>> this.shift)
    while (true) {
      const address = this.slots + ((<usize>slot) << 2)
      const entry = load<i32>(address)
      if (entry == 0 || this.keyEquals(entry - 1, ptr, length)) return address
      slot = (slot + 1) & mask
    }
  }

  private keyEquals(id: i32, ptr: usize, length: i32): bool {
    const start = this.start(id)
    if (this.start(id + 1) - start != length) return false
    // Words are short: a loop beats calling memory.compare.
    const key = this.keys + ((<usize>start) << 1)
    const bytes = (<usize>length) << 1
    for (let i: usize = 0; i < bytes; i += 2) {
      if (load<u16>(key + i) != load<u16>(ptr + i)) return false
    }
    return true
  }

  private appendKey(ptr: usize, length: i32): void {
    const start = this.start(this.count - 1)
    const end = start + length
    if (end > this.keysCapacity) {
      let capacity = this.keysCapacity << 1
      while (capacity < end) capacity <<= 1
      this.keys = heap.realloc(this.keys, (<usize>capacity) << 1)
      this.keysCapacity = capacity
    }
    const key = this.keys + ((<usize>start) << 1)
    const bytes = (<usize>length) << 1
    for (let i: usize = 0; i < bytes; i += 2) store<u16>(key + i, load<u16>(ptr + i))
    store<i32>(this.starts + ((<usize>this.count) << 2), end)
  }

  /** Doubles the slots and puts every word back. */
  private grow(): void {
    const slotCount = this.slotCount << 1
    const slots = zeroedCells(slotCount)
    const shift = this.shift - 1
    const mask = slotCount - 1
    for (let id = 0; id < this.count; id++) {
      const start = this.start(id)
      const hash = hashOf(this.keys + ((<usize>start) << 1), this.start(id + 1) - start)
      let slot = <i32>((hash * FIBONACCI) >>> shift)
      while (load<i32>(slots + ((<usize>slot) << 2)) != 0) slot = (slot + 1) & mask
      store<i32>(slots + ((<usize>slot) << 2), id + 1)
    }
    heap.free(this.slots)
    this.slots = slots
    this.slotCount = slotCount
    this.shift = shift
    this.starts = heap.realloc(this.starts, (<usize>((slotCount >> 1) + 1)) << 2)
  }
}
