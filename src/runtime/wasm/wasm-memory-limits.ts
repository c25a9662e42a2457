/**
 * Reads the memory limits a WebAssembly binary declares (imported and defined
 * memories). The JS API exposes no limits on a compiled `WebAssembly.Module`, and a
 * module without a declared maximum must be refused before it runs, so this walks
 * the binary's import and memory sections (the format is stable: WebAssembly core
 * spec §5.5).
 */

/** One memory's limits, in 64 KiB pages; `maxPages` is absent when undeclared. */
export interface MemoryLimits {
  readonly minPages: number
  readonly maxPages?: number
  readonly imported: boolean
}

/** Bytes in one WebAssembly page. */
export const WASM_PAGE_BYTES = 65_536

const SECTION_IMPORT = 2
const SECTION_MEMORY = 5

class Cursor {
  offset = 0
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    const value = this.bytes[this.offset]
    if (value === undefined) throw new RangeError('unexpected end of the wasm binary')
    this.offset++
    return value
  }

  /** Unsigned LEB128, up to 2^53 (memory64 limits are u64; pages never reach that). */
  uleb(): number {
    let result = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      const b = this.byte()
      result += (b & 0x7f) * scale
      if ((b & 0x80) === 0) return result
      scale *= 128
    }
    throw new RangeError('LEB128 value too long')
  }

  skip(length: number): void {
    if (this.offset + length > this.bytes.length) {
      throw new RangeError('unexpected end of the wasm binary')
    }
    this.offset += length
  }
}

function readLimits(cursor: Cursor, imported: boolean): MemoryLimits {
  const flags = cursor.byte()
  const minPages = cursor.uleb()
  // Bit 0: a maximum follows. Bit 1 marks shared memory, bit 2 memory64: neither changes the layout.
  if ((flags & 0x01) === 0) return { minPages, imported }
  return { minPages, maxPages: cursor.uleb(), imported }
}

function readImports(cursor: Cursor, end: number, found: MemoryLimits[]): void {
  const count = cursor.uleb()
  for (let i = 0; i < count && cursor.offset < end; i++) {
    cursor.skip(cursor.uleb()) // module name
    cursor.skip(cursor.uleb()) // field name
    const kind = cursor.byte()
    if (kind === 0x00)
      cursor.uleb() // function: type index
    else if (kind === 0x01) {
      cursor.byte() // table: reference type, then limits
      readLimits(cursor, true)
    } else if (kind === 0x02) found.push(readLimits(cursor, true))
    else if (kind === 0x03)
      cursor.skip(2) // global: value type, mutability
    else if (kind === 0x04) {
      cursor.byte() // tag: attribute, type index
      cursor.uleb()
    } else throw new RangeError(`unknown import kind ${kind}`)
  }
}

/**
 * Every memory the binary declares, imported ones first. Throws RangeError on a
 * binary it cannot walk (callers have already compiled it, so that means a bug).
 */
export function readMemoryLimits(binary: Uint8Array): MemoryLimits[] {
  const cursor = new Cursor(binary)
  cursor.skip(8) // magic and version
  const found: MemoryLimits[] = []
  while (cursor.offset < binary.length) {
    const id = cursor.byte()
    const size = cursor.uleb()
    const end = cursor.offset + size
    if (id === SECTION_IMPORT) readImports(cursor, end, found)
    else if (id === SECTION_MEMORY) {
      const count = cursor.uleb()
      for (let i = 0; i < count; i++) found.push(readLimits(cursor, false))
    }
    // Sections are ordered; nothing after the memory section matters here (custom ones aside).
    if (id === SECTION_MEMORY) break
    cursor.offset = end
  }
  return found
}
