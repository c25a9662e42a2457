/**
 * Turning one registry file's raw content into text: the size limit, strict
 * UTF-8 and the empty-file check, each with its own code and place.
 */
import type { RegistryIssue } from '../errors/index.js'
import {
  RegistryFileEmptyError,
  RegistryFileTooLargeError,
  RegistryNotUtf8Error,
} from '../errors/index.js'
import { registryIssue, type SourcePosition } from './registry-issue.js'

/** Largest registry file accepted, in bytes (1 MiB). */
export const registryFileLimitBytes = 1024 * 1024

/** The text of a file, or the one issue that stops it being read. */
export type DecodedSource = { readonly text: string } | { readonly issue: RegistryIssue }

/** Checks size, encoding and emptiness; `file` is the name issues carry. */
export function decodeSource(file: string, source: string | Uint8Array): DecodedSource {
  const sizeBytes = typeof source === 'string' ? Buffer.byteLength(source) : source.byteLength
  if (sizeBytes > registryFileLimitBytes) {
    const detail = `file is larger than the ${registryFileLimitBytes}-byte limit`
    return { issue: registryIssue(RegistryFileTooLargeError.code, file, '', detail) }
  }
  const text = typeof source === 'string' ? source : decodeUtf8(source)
  if (typeof text !== 'string') {
    const detail = `file is not valid UTF-8 (first bad byte at offset ${text.offset})`
    return { issue: registryIssue(RegistryNotUtf8Error.code, file, '', detail, text.position) }
  }
  if (text.replace(/^\uFEFF/, '').trim() === '') {
    return {
      issue: registryIssue(RegistryFileEmptyError.code, file, '', 'file is empty', {
        line: 1,
        column: 1,
      }),
    }
  }
  return { text }
}

interface InvalidUtf8 {
  readonly offset: number
  readonly position: SourcePosition
}

function decodeUtf8(bytes: Uint8Array): string | InvalidUtf8 {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    const offset = firstInvalidByte(bytes)
    return { offset, position: bytePosition(bytes, offset) }
  }
}

function isValidPrefix(bytes: Uint8Array): boolean {
  try {
    // `stream` keeps a trailing incomplete sequence pending instead of failing,
    // so validity of prefixes is monotone and can be binary-searched.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true })
    return true
  } catch {
    return false
  }
}

/** Offset of the first byte that makes the content invalid UTF-8. */
function firstInvalidByte(bytes: Uint8Array): number {
  if (isValidPrefix(bytes)) return pendingLead(bytes, bytes.length) ?? bytes.length - 1
  let valid = 0
  let invalid = bytes.length
  while (invalid - valid > 1) {
    const mid = (valid + invalid) >>> 1
    if (isValidPrefix(bytes.subarray(0, mid))) valid = mid
    else invalid = mid
  }
  return pendingLead(bytes, valid) ?? valid
}

/** The lead byte of a sequence left incomplete at `end`, if any: that byte is the bad one. */
function pendingLead(bytes: Uint8Array, end: number): number | undefined {
  for (let i = end - 1; i >= Math.max(0, end - 3); i--) {
    const byte = bytes[i] ?? 0
    if ((byte & 0xc0) === 0x80) continue
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return length > end - i ? i : undefined
  }
  return undefined
}

function bytePosition(bytes: Uint8Array, offset: number): SourcePosition {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++
      lineStart = i + 1
    }
  }
  const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset))
  return { line, column: before.length + 1 }
}
