/**
 * stdin and stdout of a module that answers one JSON request: the whole of
 * stdin as a string, and the `{error: {code, message}}` answer with exit
 * status 1 that the executors report as AION_MODULE_FAILED.
 */
import { quoteJson } from './json'

const CHUNK_BYTES = 64 * 1024

/** Everything on stdin, decoded as UTF-8. */
export function readStdin(): string {
  let buffer = new ArrayBuffer(CHUNK_BYTES)
  let length = 0
  while (true) {
    if (length == buffer.byteLength) {
      const bigger = new ArrayBuffer(buffer.byteLength * 2)
      memory.copy(changetype<usize>(bigger), changetype<usize>(buffer), <usize>length)
      buffer = bigger
    }
    const read = process.stdin.read(buffer, length)
    if (read <= 0) break
    length += read
  }
  return String.UTF8.decode(buffer.slice(0, length))
}

/** Writes the module's error answer and exits with status 1. */
export function fail(code: string, message: string): void {
  process.stdout.write(
    '{"error":{"code":' + quoteJson(code) + ',"message":' + quoteJson(message) + '}}',
  )
  process.exit(1)
}
