/**
 * File-level checks of an AIP package directory, shared by both runtimes: a
 * file the manifest names must resolve inside the package and be a regular file
 * within its size limit; the package as a whole must hold no setuid/setgid file,
 * no link leaving it, no device or socket, and stay within file-count and size
 * limits. A subprocess entrypoint must also be executable by the unprivileged
 * user the sandbox runs it as.
 */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises'
import { basename, join, relative, sep } from 'node:path'
import { ModulePackageInvalidError, type Violation } from '../../core/errors/index.js'

/** Limits of a package's tree. */
export interface PackageTreeLimits {
  /** @default 10000 */
  readonly maxFiles: number
  /** Sum of all file sizes. @default 1 GiB */
  readonly maxTotalBytes: number
}

/** The defaults of {@link PackageTreeLimits}. */
export const DEFAULT_TREE_LIMITS: PackageTreeLimits = {
  maxFiles: 10_000,
  maxTotalBytes: 1024 ** 3,
}

/** The largest entrypoint executable accepted. */
export const ENTRYPOINT_MAX_BYTES = 256 * 1024 * 1024

/** The error for a failed check; the package is named by its folder (the manifest may be unreadable). */
export function packageInvalid(dir: string, file: string, violations: readonly Violation[]) {
  return new ModulePackageInvalidError({ package: basename(dir), file, violations })
}

/** One violation with its rule as the keyword. */
export function problem(message: string, keyword?: string): Violation[] {
  return [{ path: '', message, ...(keyword === undefined ? {} : { keyword }) }]
}

/** The real path of `file` inside the package; refuses one that resolves outside it. */
async function resolveInside(dir: string, file: string): Promise<string> {
  let real: string
  try {
    real = await realpath(join(dir, file))
  } catch {
    throw packageInvalid(dir, file, problem('file not found', 'exists'))
  }
  if (!real.startsWith((await realpath(dir)) + sep)) {
    throw packageInvalid(dir, file, problem('resolves outside the package', 'package_path'))
  }
  return real
}

/** Reads a file inside the package; refuses one whose real path leaves the package. */
export async function readPackageFile(
  dir: string,
  file: string,
  maxBytes: number,
): Promise<Buffer> {
  const real = await resolveInside(dir, file)
  const info = await stat(real)
  if (!info.isFile()) throw packageInvalid(dir, file, problem('is not a regular file', 'exists'))
  if (info.size > maxBytes) {
    throw packageInvalid(dir, file, problem(`exceeds ${maxBytes} bytes`, 'size'))
  }
  return readFile(real)
}

/**
 * Checks a subprocess entrypoint and returns its real path: a regular file inside
 * the package, within {@link ENTRYPOINT_MAX_BYTES}, readable and executable by
 * every user (the sandbox runs it as an unprivileged one), neither setuid nor setgid.
 */
export async function checkEntrypoint(dir: string, file: string): Promise<string> {
  const real = await resolveInside(dir, file)
  const info = await stat(real)
  const violations: Violation[] = []
  if (!info.isFile()) violations.push(...problem('is not a regular file', 'exists'))
  if (info.size > ENTRYPOINT_MAX_BYTES) {
    violations.push(...problem(`exceeds ${ENTRYPOINT_MAX_BYTES} bytes`, 'size'))
  }
  if ((info.mode & 0o005) !== 0o005) {
    const mode = (info.mode & 0o7777).toString(8)
    const message = `mode ${mode} is not readable and executable by all (o+rx): the sandbox runs it as an unprivileged user`
    violations.push(...problem(message, 'executable'))
  }
  if (violations.length > 0) throw packageInvalid(dir, file, violations)
  return real
}

/** Every problem of the package's tree as a whole (one violation per offending file). */
export async function checkPackageTree(
  dir: string,
  limits: PackageTreeLimits = DEFAULT_TREE_LIMITS,
): Promise<Violation[]> {
  const root = await realpath(dir)
  const violations: Violation[] = []
  let files = 0
  let totalBytes = 0
  const pending = [root]
  while (pending.length > 0) {
    const current = pending.pop() as string
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name)
      const name = relative(root, path)
      const info = await lstat(path)
      files += 1
      if (info.mode & 0o6000) {
        violations.push({ path: name, message: 'is setuid or setgid', keyword: 'setuid' })
      }
      if (info.isDirectory()) pending.push(path)
      else if (info.isSymbolicLink()) {
        const target = await realpath(path).catch(() => undefined)
        if (target === undefined || !(target === root || target.startsWith(root + sep))) {
          violations.push({
            path: name,
            message: 'is a link leading outside the package',
            keyword: 'link',
          })
        }
      } else if (info.isFile()) totalBytes += info.size
      else
        violations.push({
          path: name,
          message: 'is a device, socket or FIFO',
          keyword: 'special_file',
        })
    }
  }
  if (files > limits.maxFiles) {
    violations.push({
      path: '',
      message: `holds ${files} files, over ${limits.maxFiles}`,
      keyword: 'size',
    })
  }
  if (totalBytes > limits.maxTotalBytes) {
    const message = `holds ${totalBytes} bytes, over ${limits.maxTotalBytes}`
    violations.push({ path: '', message, keyword: 'size' })
  }
  return violations
}
