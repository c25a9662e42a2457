/**
 * One registry file parsed as YAML: its plain data, and a way back from a JSON
 * pointer into the data to the line and column of the node in the text.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type YAMLError,
} from 'yaml'
import type { RegistryIssue } from '../errors/index.js'
import {
  RegistryDuplicateKeyError,
  RegistryFileEmptyError,
  RegistryTooDeepError,
  RegistryYamlSyntaxError,
} from '../errors/index.js'
import { nestingDepth, registryMaxDepth } from './nesting-depth.js'
import { pointerSegments, registryIssue, type SourcePosition } from './registry-issue.js'

/** A parsed registry file. */
export interface YamlFile {
  /** The name issues carry (`intents.yml`). */
  readonly file: string
  /** The document as plain JSON-like data. */
  readonly data: unknown
  /**
   * Where the node at `path` starts. With `atKey`, the key of the last
   * segment (used for unknown keys). A path that does not resolve (a missing
   * key) gives the place of its deepest existing ancestor.
   */
  position(path: string, atKey?: boolean): SourcePosition | undefined
}

/** The parsed file, or the issues that stop its content from being trusted. */
export interface YamlParseResult {
  readonly yaml?: YamlFile
  readonly issues: readonly RegistryIssue[]
}

/** Parses YAML 1.2 (core schema, unique keys, no custom tags, ≤ 100 aliases). */
export function parseYamlFile(file: string, text: string): YamlParseResult {
  const depth = nestingDepth(text)
  if (depth > registryMaxDepth) {
    const detail = `file nests deeper than ${registryMaxDepth} levels`
    return { issues: [registryIssue(RegistryTooDeepError.code, file, '', detail)] }
  }
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const at = (offset: number): SourcePosition => {
    const { line, col } = lines.linePos(offset)
    return { line, column: col }
  }
  const problems = [...doc.errors, ...doc.warnings].map((e) => yamlIssue(file, e, at))
  if (problems.length > 0) return { issues: problems }
  if (doc.contents === null) {
    const detail = 'file has no content (only comments or whitespace)'
    return { issues: [registryIssue(RegistryFileEmptyError.code, file, '', detail, at(0))] }
  }
  let data: unknown
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    data = doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    return { issues: [registryIssue(RegistryYamlSyntaxError.code, file, '', detail)] }
  }
  return {
    yaml: { file, data, position: (path, atKey) => locate(doc, path, atKey, at) },
    issues: [],
  }
}

function yamlIssue(file: string, error: YAMLError, at: (offset: number) => SourcePosition) {
  const code =
    error.code === 'DUPLICATE_KEY' ? RegistryDuplicateKeyError.code : RegistryYamlSyntaxError.code
  return registryIssue(code, file, '', yamlMessage(error), at(error.pos[0]))
}

function yamlMessage(error: YAMLError): string {
  const message = error.message.split('\n')[0] ?? error.message
  if (error.code === 'TAG_RESOLVE_FAILED') return `${message} (custom tags are not allowed)`
  return message
}

interface Located {
  readonly start?: number
  readonly keyStart?: number
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined
  const range = (node as { range?: readonly number[] | null }).range
  return range?.[0]
}

function locate(
  doc: Document,
  path: string,
  atKey: boolean | undefined,
  at: (offset: number) => SourcePosition,
): SourcePosition | undefined {
  const found = walk(doc, pointerSegments(path))
  const offset =
    (found.resolved && atKey ? found.keyStart : undefined) ??
    (found.resolved ? found.start : undefined) ??
    found.keyStart ??
    found.start
  return offset === undefined ? undefined : at(offset)
}

function walk(doc: Document, segments: readonly string[]): Located & { resolved: boolean } {
  let node: unknown = doc.contents
  let keyStart: number | undefined
  for (const segment of segments) {
    if (isAlias(node)) node = node.resolve(doc)
    let next: unknown
    let nextKey: number | undefined
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === segment,
      )
      if (pair) {
        next = pair.value ?? pair.key
        nextKey = rangeStart(pair.key)
      }
    } else if (isSeq(node) && /^(0|[1-9][0-9]*)$/.test(segment)) {
      next = node.items[Number(segment)]
    }
    if (next === undefined) return { start: rangeStart(node), keyStart, resolved: false }
    node = next
    keyStart = nextKey
  }
  return { start: rangeStart(node) ?? keyStart, keyStart, resolved: true }
}
