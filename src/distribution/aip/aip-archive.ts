/**
 * AIP package archives (`.tar`, `.tar.gz`, `.tgz`): every entry is checked from
 * its header before anything is written — no absolute path, no `..`, no link
 * leading outside the package, no device or FIFO, no setuid/setgid bit, entries
 * and the whole within size and count limits — each refusal with its own
 * `AION_MODULE_ARCHIVE_*` code. Only an archive without problems is extracted,
 * and then with node-tar's own path guards on as well.
 */
import { chmod, stat } from 'node:fs/promises'
import { basename, posix } from 'node:path'
import { extract, list, type ReadEntry } from 'tar'
import {
  type AionError,
  ModuleArchiveAbsolutePathError,
  ModuleArchiveEntryTooLargeError,
  ModuleArchiveLinkOutsideError,
  ModuleArchiveParentPathError,
  ModuleArchiveSetuidError,
  ModuleArchiveSpecialFileError,
  ModuleArchiveTooLargeError,
  ModuleArchiveTooManyEntriesError,
  ModuleArchiveUnreadableError,
  type ModuleArchiveIssueFields,
} from '../../core/errors/index.js'

/** Limits of a package archive. */
export interface ArchiveLimits {
  /** Entries (files, directories, links). @default 10000 */
  readonly maxEntries: number
  /** Size of one entry, uncompressed. @default 256 MiB */
  readonly maxEntryBytes: number
  /** Sum of the entries' sizes, uncompressed. @default 1 GiB */
  readonly maxTotalBytes: number
}

/** The defaults of {@link ArchiveLimits}. */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 10_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 1024 ** 3,
}

/** Whether `path` names a package archive by its extension. */
export function isPackageArchive(path: string): boolean {
  return /\.(tar|tgz|tar\.gz)$/i.test(path)
}

type ArchiveError = AionError<ModuleArchiveIssueFields>

const regularTypes = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory'])

/** The problems of one entry, judged from its header alone. */
function entryProblems(archive: string, entry: ReadEntry, limits: ArchiveLimits): ArchiveError[] {
  const path = entry.path
  const issue = { archive, entry: path }
  const segments = path.split(/[/\\]/)
  const problems: ArchiveError[] = []
  if (path.startsWith('/') || path.startsWith('\\') || /^[a-zA-Z]:/.test(path)) {
    problems.push(new ModuleArchiveAbsolutePathError({ ...issue, detail: 'is an absolute path' }))
  }
  if (segments.includes('..')) {
    problems.push(new ModuleArchiveParentPathError({ ...issue, detail: 'contains ..' }))
  }
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const target = entry.linkpath ?? ''
    // A symlink resolves against its own directory, a hard link against the archive root.
    const base = entry.type === 'SymbolicLink' ? posix.dirname(path) : '.'
    const resolved = posix.normalize(posix.join(base, target))
    if (target.startsWith('/') || resolved === '..' || resolved.startsWith('../')) {
      const detail = `links to ${JSON.stringify(target)}, outside the package`
      problems.push(new ModuleArchiveLinkOutsideError({ ...issue, detail }))
    }
  } else if (!regularTypes.has(entry.type)) {
    const detail = `is a ${entry.type} entry; only files, directories and links are allowed`
    problems.push(new ModuleArchiveSpecialFileError({ ...issue, detail }))
  }
  if ((entry.mode ?? 0) & 0o6000) {
    problems.push(new ModuleArchiveSetuidError({ ...issue, detail: 'is setuid or setgid' }))
  }
  if (entry.size > limits.maxEntryBytes) {
    const detail = `is ${entry.size} bytes, over ${limits.maxEntryBytes}`
    problems.push(new ModuleArchiveEntryTooLargeError({ ...issue, detail }))
  }
  return problems
}

/**
 * Every problem of the archive at `file`, in entry order; empty when it may be
 * extracted. Reads headers only (file bodies are skipped, not written anywhere).
 */
export async function checkPackageArchive(
  file: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveError[]> {
  const archive = basename(file)
  const info = await stat(file).catch(() => undefined)
  if (!info?.isFile()) {
    return [new ModuleArchiveUnreadableError({ archive, entry: '', detail: 'is not a file' })]
  }
  const problems: ArchiveError[] = []
  let entries = 0
  let totalBytes = 0
  try {
    await list({
      file,
      strict: true,
      onReadEntry: (entry) => {
        entries += 1
        totalBytes += entry.size
        problems.push(...entryProblems(archive, entry, limits))
      },
    })
  } catch (error) {
    const detail = `is not a readable tar archive: ${(error as Error).message}`
    problems.push(
      new ModuleArchiveUnreadableError({ archive, entry: '', detail }, { cause: error }),
    )
  }
  if (entries === 0 && problems.length === 0) {
    problems.push(new ModuleArchiveUnreadableError({ archive, entry: '', detail: 'is empty' }))
  }
  if (entries > limits.maxEntries) {
    const detail = `holds ${entries} entries, over ${limits.maxEntries}`
    problems.push(new ModuleArchiveTooManyEntriesError({ archive, entry: '', detail }))
  }
  if (totalBytes > limits.maxTotalBytes) {
    const detail = `unpacks to ${totalBytes} bytes, over ${limits.maxTotalBytes}`
    problems.push(new ModuleArchiveTooLargeError({ archive, entry: '', detail }))
  }
  return problems
}

/**
 * Checks the archive and, when it has no problem, extracts it into `destDir`
 * (which must exist): owners are not kept, modes lose setuid/setgid, and the
 * directory is made world-readable so the sandbox user can read the package.
 * Throws the first problem otherwise.
 */
export async function extractPackageArchive(
  file: string,
  destDir: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<void> {
  const problems = await checkPackageArchive(file, limits)
  if (problems.length > 0) throw problems[0] as ArchiveError
  await extract({
    file,
    cwd: destDir,
    strict: true,
    preservePaths: false,
    preserveOwner: false,
    unlink: false,
  })
  await chmod(destDir, 0o755)
}
