/**
 * The files of a packed AIP package, read from the archive itself (so the SBOM
 * describes exactly the bytes that travel): each regular file's path, size and
 * SHA-256, in path order, and the manifest's bytes.
 */
import { createHash } from 'node:crypto'
import { list, Parser, type ReadEntry } from 'tar'
import { SbomInvalidError } from '../../core/errors/index.js'

/** One regular file of a package. */
export interface PackageFileDigest {
  /** Path inside the package, slash-separated, without a leading `./`. */
  readonly path: string
  readonly size: number
  /** Lower-case hex SHA-256 of the content. */
  readonly sha256: string
  /** Permission bits as archived (e.g. 0o755 for an executable). */
  readonly mode: number
}

/** What {@link readArchiveFiles} found. */
export interface ArchiveFiles {
  readonly files: readonly PackageFileDigest[]
  /** The bytes of `aip.yaml` at the package root. */
  readonly manifest: Buffer
}

const MANIFEST_MAX_BYTES = 64 * 1024

/**
 * Hashes every regular file of a package archive — a `.tar` or `.tar.gz` file
 * at a path, or its bytes — and returns them with the manifest's bytes;
 * AION_SBOM_INVALID when it holds no `aip.yaml` at its root. The archive is
 * expected to have passed the package archive checks already.
 */
export async function readArchiveFiles(archive: string | Uint8Array): Promise<ArchiveFiles> {
  const pending: Promise<PackageFileDigest & { bytes?: Buffer }>[] = []
  const onReadEntry = (entry: ReadEntry): void => {
    const digest = digestEntry(entry)
    if (digest) pending.push(digest)
  }
  if (typeof archive === 'string') {
    await list({ file: archive, strict: true, onReadEntry })
  } else {
    await new Promise<void>((resolve, reject) => {
      const parser = new Parser({ strict: true, onReadEntry })
      parser.on('error', reject)
      parser.on('end', resolve)
      parser.end(Buffer.from(archive))
    })
  }
  const entries = await Promise.all(pending)
  const manifest = entries.find((entry) => entry.path === 'aip.yaml')?.bytes
  if (!manifest) {
    throw new SbomInvalidError({
      violations: [{ path: '', message: 'the package archive has no aip.yaml at its root' }],
    })
  }
  const files = entries
    .map(({ bytes: _bytes, ...digest }) => digest)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { files, manifest }
}

function digestEntry(
  entry: ReadEntry,
): Promise<PackageFileDigest & { bytes?: Buffer }> | undefined {
  if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
    entry.resume()
    return undefined
  }
  const path = entry.path.replace(/^(\.\/)+/, '')
  const hash = createHash('sha256')
  const keep = path === 'aip.yaml' && entry.size <= MANIFEST_MAX_BYTES
  const chunks: Buffer[] = []
  entry.on('data', (chunk: Buffer) => {
    hash.update(chunk)
    if (keep) chunks.push(chunk)
  })
  return new Promise((resolve) =>
    entry.on('end', () =>
      resolve({
        path,
        size: entry.size,
        sha256: hash.digest('hex'),
        mode: (entry.mode ?? 0o644) & 0o777,
        ...(keep ? { bytes: Buffer.concat(chunks) } : {}),
      }),
    ),
  )
}
