/**
 * Reproducible package archives: the same package content always packs to the
 * same bytes, whoever packs it, whenever, on whichever file system. Entries
 * are sorted by path; every header has mtime 0, uid/gid 0, no user or group
 * name; modes are 0755 for directories and executables (any x bit) and 0644
 * for other files; symbolic links keep their target. The tar is plain ustar
 * (a pax header only for paths too long for it) and the gzip header has no
 * file name and mtime 0. The package is checked first (every problem is
 * reported; nothing is packed when there is one).
 */
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { gzipSync } from 'node:zlib'
import { Header, Pax } from 'tar'
import type { AipManifest } from '../../../contracts/generated/index.js'
import { OciPackRefusedError } from '../../core/errors/index.js'
import { extractPackageArchive, isPackageArchive } from '../aip/aip-archive.js'
import { checkPackage, type PackageProblem } from '../aip/aip-package.js'
import { sha256Digest } from './manifest.js'

/** A packed package. */
export interface PackedPackage {
  /** The `.tar.gz`. */
  readonly bytes: Buffer
  /** `sha256:<hex>` of {@link bytes}. */
  readonly digest: string
  readonly size: number
  readonly manifest: AipManifest
  /** `<name>-<version>.aip.tar.gz`. */
  readonly fileName: string
}

/** Options of {@link packPackage}. */
export interface PackOptions {
  /** Called with each problem of a package that is refused (before the error is thrown). */
  readonly onProblem?: (problem: PackageProblem) => void
}

interface Entry {
  readonly path: string
  readonly type: 'Directory' | 'File' | 'SymbolicLink'
  readonly mode: number
  readonly file?: string
  readonly linkpath?: string
}

const BLOCK = 512

/** Every entry under `root`, in archive order (sorted by path; `/` separators). */
async function entriesOf(root: string): Promise<Entry[]> {
  const entries: Entry[] = []
  const pending = [root]
  while (pending.length > 0) {
    const dir = pending.pop() as string
    for (const item of await readdir(dir, { withFileTypes: true })) {
      const file = join(dir, item.name)
      const path = relative(root, file).split(sep).join('/')
      const info = await lstat(file)
      if (info.isDirectory()) {
        pending.push(file)
        entries.push({ path: `${path}/`, type: 'Directory', mode: 0o755 })
      } else if (info.isSymbolicLink()) {
        entries.push({ path, type: 'SymbolicLink', mode: 0o777, linkpath: await readlink(file) })
      } else if (info.isFile()) {
        entries.push({ path, type: 'File', mode: info.mode & 0o111 ? 0o755 : 0o644, file })
      }
      // Devices, sockets and FIFOs never get here: checkPackage refuses them.
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

function padded(bytes: Buffer): Buffer[] {
  const rest = bytes.length % BLOCK
  return rest === 0 ? [bytes] : [bytes, Buffer.alloc(BLOCK - rest)]
}

/** The tar bytes of `entries`. */
async function tarOf(entries: readonly Entry[]): Promise<Buffer> {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const body = entry.file === undefined ? Buffer.alloc(0) : await readFile(entry.file)
    const data = {
      path: entry.path,
      mode: entry.mode,
      uid: 0,
      gid: 0,
      size: body.length,
      mtime: new Date(0),
      type: entry.type,
      uname: '',
      gname: '',
      ...(entry.linkpath === undefined ? {} : { linkpath: entry.linkpath }),
    }
    const header = new Header(data)
    const block = Buffer.alloc(BLOCK)
    header.encode(block)
    if (header.needPax) {
      const pax = { path: entry.path, ...(entry.linkpath ? { linkpath: entry.linkpath } : {}) }
      parts.push(new Pax(pax).encode())
    }
    parts.push(block, ...padded(body))
  }
  parts.push(Buffer.alloc(BLOCK * 2))
  return Buffer.concat(parts)
}

/** The packed form of `bytes`, an archive of the package `manifest` describes. */
export function packedPackage(bytes: Buffer, manifest: AipManifest): PackedPackage {
  const { name, version } = manifest.metadata
  return {
    bytes,
    digest: sha256Digest(bytes),
    size: bytes.length,
    manifest,
    fileName: `${name}-${version}.aip.tar.gz`,
  }
}

/** Packs the directory as it is, without checking it. */
export async function packDirectory(dir: string): Promise<Buffer> {
  return gzipSync(await tarOf(await entriesOf(dir)), { level: 9 })
}

/**
 * Checks the package at `source` (a directory, or an archive which is unpacked
 * and packed again) and packs it reproducibly. Throws AION_OCI_PACK_REFUSED
 * after reporting each problem to `options.onProblem`.
 */
export async function packPackage(
  source: string,
  options: PackOptions = {},
): Promise<PackedPackage> {
  const { manifest, problems } = await checkPackage(source)
  if (manifest === undefined || problems.length > 0) {
    for (const problem of problems) options.onProblem?.(problem)
    throw new OciPackRefusedError({ source, problems: Math.max(problems.length, 1) })
  }
  let bytes: Buffer
  if (isPackageArchive(source)) {
    const dir = await mkdtemp(join(tmpdir(), 'aion-pack-'))
    try {
      await extractPackageArchive(source, dir)
      bytes = await packDirectory(dir)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  } else {
    bytes = await packDirectory(source)
  }
  return packedPackage(bytes, manifest)
}
