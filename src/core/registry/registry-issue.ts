/**
 * Building and ordering registry issues. Codes come from the error registry,
 * so an issue code and the error class raised for it can never drift apart.
 */
import type { RegistryIssue } from '../errors/index.js'
import { registryFileNames } from './registry-types.js'

/** A 1-based place in a file. */
export interface SourcePosition {
  readonly line: number
  readonly column: number
}

/** Makes an issue; the position is left out when unknown. */
export function registryIssue(
  code: string,
  file: string,
  path: string,
  message: string,
  position?: SourcePosition,
): RegistryIssue {
  return position === undefined
    ? { code, file, path, message }
    : { code, file, line: position.line, column: position.column, path, message }
}

function fileRank(file: string): number {
  const stem = file.replace(/\.ya?ml$/, '')
  const rank = registryFileNames.findIndex((name) => name.startsWith(`${stem}.`))
  return rank === -1 ? registryFileNames.length : rank
}

/** Orders issues by file (registry order), then line and column; stable otherwise. */
export function sortIssues(issues: readonly RegistryIssue[]): RegistryIssue[] {
  return [...issues].sort(
    (a, b) =>
      fileRank(a.file) - fileRank(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  )
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1')
}

/** Joins segments into a JSON pointer. */
export function pointer(...segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${pointerSegment(s)}`).join('')
}

/** Splits a JSON pointer into its unescaped segments. */
export function pointerSegments(path: string): string[] {
  if (path === '') return []
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
}
