/**
 * A package's files and its digest. The digest names the package's content,
 * whatever directory or archive it sits in: SHA-256 over one line per entry,
 * sorted by path, `<mode> <sha256> <size> <path>\n` — mode `755` for an
 * executable file, `644` for another file, `link` for a symbolic link (its
 * hash and size are those of the link's target text). `aionctl modules
 * inspect` and `list` show it; `install` prints it for the installed copy.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat, readdir, readlink } from 'node:fs/promises'
import { join } from 'node:path'

/** One entry of a package. */
export interface PackageFile {
  /** Relative to the package root, `/`-separated. */
  readonly path: string
  readonly sizeBytes: number
  /** Hex SHA-256 of the content (of the target text, for a link). */
  readonly sha256: string
  readonly mode: '644' | '755' | 'link'
}

/** The hex SHA-256 of a file's bytes, streamed. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')))
  })
}

async function walk(root: string, relative: string, into: PackageFile[]): Promise<void> {
  const entries = await readdir(join(root, relative), { withFileTypes: true })
  for (const entry of entries) {
    const path = relative ? `${relative}/${entry.name}` : entry.name
    const full = join(root, path)
    if (entry.isDirectory()) {
      await walk(root, path, into)
    } else if (entry.isSymbolicLink()) {
      const target = await readlink(full)
      const sha256 = createHash('sha256').update(target).digest('hex')
      into.push({ path, sizeBytes: Buffer.byteLength(target), sha256, mode: 'link' })
    } else if (entry.isFile()) {
      const info = await lstat(full)
      const mode = info.mode & 0o111 ? '755' : '644'
      into.push({ path, sizeBytes: info.size, sha256: await sha256File(full), mode })
    }
    // Sockets, FIFOs and devices are no package content (the package checks refuse them).
  }
}

/** Every file and link under `dir`, sorted by path (code-unit order). */
export async function listPackageFiles(dir: string): Promise<PackageFile[]> {
  const files: PackageFile[] = []
  await walk(dir, '', files)
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** The package digest of `files` (see the file header), `sha256:<hex>`. */
export function packageDigest(files: readonly PackageFile[]): string {
  const hash = createHash('sha256')
  for (const file of files)
    hash.update(`${file.mode} ${file.sha256} ${file.sizeBytes} ${file.path}\n`)
  return `sha256:${hash.digest('hex')}`
}
