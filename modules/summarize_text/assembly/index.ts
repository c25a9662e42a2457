/**
 * summarize_text: reads `{text, max_sentences?, max_chars?}` as JSON on stdin and
 * writes `{summary, sentences}` as JSON on stdout. On a bad request it writes
 * `{error: {code, message}}` and exits with status 1.
 */
import { parseRequest, quoteJson } from './json-request'
import { summarize } from './score'

const CHUNK_BYTES = 64 * 1024

function readStdin(): string {
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

function fail(code: string, message: string): void {
  process.stdout.write(
    '{"error":{"code":' + quoteJson(code) + ',"message":' + quoteJson(message) + '}}',
  )
  process.exit(1)
}

function main(): void {
  const request = parseRequest(readStdin())
  if (request.error.length > 0) {
    fail('INVALID_REQUEST', request.error)
    return
  }
  const summary = summarize(request.text, request.maxSentences, request.maxChars)
  if (summary === null) {
    fail('NO_SENTENCES', 'text holds no sentence with a letter or digit')
    return
  }
  const indices = new Array<string>(summary.indices.length)
  for (let i = 0; i < indices.length; i++) indices[i] = summary.indices[i].toString()
  process.stdout.write(
    '{"summary":' + quoteJson(summary.text) + ',"sentences":[' + indices.join(',') + ']}',
  )
}

main()
