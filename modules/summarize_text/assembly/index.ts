/**
 * summarize_text: reads `{text, max_sentences?, max_chars?}` as JSON on stdin and
 * writes `{summary, sentences}` as JSON on stdout. On a bad request it writes
 * `{error: {code, message}}` and exits with status 1.
 *
 * Each call is a fresh instance that exits, so the module is built with the stub
 * runtime (a bump allocator that never frees, no GC): nothing outlives the call,
 * and the code allocates in proportion to the input, not per word.
 */
// An AssemblyScript library path (the WASI shim's raw bindings).
/* eslint-disable import-x/no-unresolved */
import { fd_read } from '~lib/bindings/wasi_snapshot_preview1'
/* eslint-enable import-x/no-unresolved */
import { parseRequest } from './json-request'
import {
  decimal,
  flush,
  useBuffer,
  writeAscii,
  writeCollapsed,
  writeInteger,
  writeJsonUnits,
} from './json-output'
import { summarize } from './score'

const STDIN: u32 = 0
/** The first read's buffer; a request of a few KB (the common case) fits in it. */
const FIRST_READ_BYTES: usize = 4 * 1024
/** One iovec (pointer, length) and the count of bytes read. */
const iovec = memory.data(16)

function readStdin(): string {
  let capacity = FIRST_READ_BYTES
  let buffer = heap.alloc(capacity)
  let length: usize = 0
  while (true) {
    if (length == capacity) {
      capacity <<= 1
      buffer = heap.realloc(buffer, capacity)
    }
    store<usize>(iovec, buffer + length)
    store<usize>(iovec, capacity - length, sizeof<usize>())
    const err = fd_read(STDIN, iovec, 1, iovec + 2 * sizeof<usize>())
    // By number: errnoToString's table of names would be copied into every instance.
    if (err) throw new Error('reading stdin failed with WASI errno ' + decimal(err))
    const read = load<usize>(iovec, 2 * sizeof<usize>())
    if (read == 0) break
    length += read
  }
  const request = String.UTF8.decodeUnsafe(buffer, length)
  useBuffer(buffer, capacity)
  return request
}

function writeString(value: string): void {
  writeAscii('"')
  writeJsonUnits(changetype<usize>(value), value.length)
  writeAscii('"')
}

function fail(code: string, message: string): void {
  writeAscii('{"error":{"code":')
  writeString(code)
  writeAscii(',"message":')
  writeString(message)
  writeAscii('}}')
  flush()
  process.exit(1)
}

function main(): void {
  const request = parseRequest(readStdin())
  if (request.error.length > 0) {
    fail('INVALID_REQUEST', request.error)
    return
  }
  const text = request.text
  const summary = summarize(text, request.maxSentences, request.maxChars)
  if (summary === null) {
    fail('NO_SENTENCES', 'text holds no sentence with a letter or digit')
    return
  }
  writeAscii('{"summary":"')
  const cut = summary.cut
  if (cut !== null) writeJsonUnits(changetype<usize>(cut), cut.length)
  else {
    for (let i = 0; i < summary.indices.length; i++) {
      if (i > 0) writeAscii(' ')
      const index = summary.indices[i]
      writeCollapsed(text, summary.spans.start(index), summary.spans.end(index))
    }
  }
  writeAscii('","sentences":[')
  for (let i = 0; i < summary.indices.length; i++) {
    if (i > 0) writeAscii(',')
    writeInteger(summary.indices[i])
  }
  writeAscii(']}')
  flush()
}

main()
