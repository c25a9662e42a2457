/**
 * Loading a registry set from a directory: reads the four files (each as
 * `.yml` or `.yaml`, never more than the size limit plus one byte) and hands
 * their bytes to {@link parseRegistrySources}.
 */
import { open, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { RegistryIssue } from '../errors/index.js'
import { RegistryFileAmbiguousError } from '../errors/index.js'
import { registryIssue, sortIssues } from './registry-issue.js'
import { parseRegistrySources, unreadable } from './registry-parser.js'
import { registryFileLimitBytes } from './registry-source.js'
import {
  registryFileNames,
  type RegistryFileName,
  type RegistryLoadResult,
  type RegistrySources,
} from './registry-types.js'

/**
 * Loads and validates the registry set in `dir`. Never throws: every problem,
 * in every file, comes back as an issue, and `ok: true` only with a complete set.
 */
export async function loadRegistrySet(dir: string): Promise<RegistryLoadResult> {
  try {
    const entries = await directoryEntries(dir)
    const sources: RegistrySources = {}
    const fileLabels: Partial<Record<RegistryFileName, string>> = {}
    const readIssues: RegistryIssue[] = []
    for (const name of registryFileNames) {
      const yaml = name.replace(/\.yml$/, '.yaml')
      const present = [name, yaml].filter((candidate) => entries.has(candidate))
      const label = present[0]
      if (label === undefined) continue
      fileLabels[name] = label
      if (present.length > 1) {
        const detail = `both ${name} and ${yaml} exist; keep one`
        readIssues.push(registryIssue(RegistryFileAmbiguousError.code, label, '', detail))
        continue
      }
      try {
        sources[name] = await readBounded(join(dir, label), registryFileLimitBytes + 1)
      } catch (error) {
        readIssues.push(unreadable(label, error))
      }
    }
    const result = parseRegistrySources(sources, { fileLabels })
    if (readIssues.length === 0) return result
    const readFiles = new Set(readIssues.map((issue) => issue.file))
    // A file that could not be read is not "missing": drop that duplicate report.
    const others = result.ok ? [] : result.issues.filter((issue) => !readFiles.has(issue.file))
    return { ok: false, issues: sortIssues([...readIssues, ...others]) }
  } catch (error) {
    return { ok: false, issues: [unreadable('.', error)] }
  }
}

/** The names in `dir`; none when it does not exist, so each file reports as missing. */
async function directoryEntries(dir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(dir))
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return new Set()
    throw error
  }
}

/** Reads at most `maxBytes` of a file, so a huge file costs no more than the limit. */
async function readBounded(path: string, maxBytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(maxBytes)
    let length = 0
    while (length < maxBytes) {
      const { bytesRead } = await handle.read(buffer, length, maxBytes - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }
    return buffer.subarray(0, length)
  } finally {
    await handle.close()
  }
}
