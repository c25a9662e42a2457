/**
 * What `aionctl modules inspect|run|install` are given: a package directory, a
 * package archive, or the name of a package installed in the packages
 * directory (`AION_MODULES_DIR`); and a private copy of it for the executor,
 * which loads a directory of packages.
 */
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { parse } from 'yaml'
import { ModuleSourceNotFoundError } from '../../../core/errors/index.js'
import {
  extractPackageArchive,
  isPackageArchive,
  MANIFEST_FILE,
} from '../../../distribution/aip/index.js'

/** A package on disk. */
export interface PackageSource {
  readonly kind: 'directory' | 'archive'
  /** Absolute path of the directory or archive. */
  readonly path: string
  /** Whether it was found by name in the packages directory. */
  readonly installed: boolean
}

const MODULE_NAME = /^[a-z][a-z0-9_]{0,63}$/

/** The module name a package directory's manifest declares, if it can be read. */
export async function manifestName(dir: string): Promise<string | undefined> {
  try {
    const manifest = parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as {
      metadata?: { name?: unknown }
    }
    const name = manifest?.metadata?.name
    return typeof name === 'string' ? name : undefined
  } catch {
    return undefined
  }
}

/** Folders of the packages directory, sorted (none when it does not exist). */
export async function packageFolders(packagesDir: string): Promise<string[]> {
  const entries = await readdir(packagesDir, { withFileTypes: true }).catch(() => [])
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => join(packagesDir, entry.name))
    .sort()
}

/** The folder in `packagesDir` of the installed package named `name`. */
export async function findInstalled(
  name: string,
  packagesDir: string,
): Promise<string | undefined> {
  for (const dir of await packageFolders(packagesDir)) {
    if ((await manifestName(dir)) === name) return dir
  }
  return undefined
}

/** Resolves a command's `<dir|tarball|pkg>` argument; throws AION_MODULE_SOURCE_NOT_FOUND. */
export async function resolveSource(
  source: string,
  packagesDir: string,
  options: { byName: boolean } = { byName: true },
): Promise<PackageSource> {
  const info = await stat(source).catch(() => undefined)
  if (info?.isDirectory()) return { kind: 'directory', path: resolve(source), installed: false }
  if (info?.isFile() && isPackageArchive(source)) {
    return { kind: 'archive', path: resolve(source), installed: false }
  }
  if (!info && options.byName && MODULE_NAME.test(source)) {
    const dir = await findInstalled(source, packagesDir)
    if (dir) return { kind: 'directory', path: dir, installed: true }
  }
  throw new ModuleSourceNotFoundError({ source, packagesDir })
}

/** The copy's folder: the source's name (error messages name the package by it). */
function folderName(source: PackageSource): string {
  const name = basename(source.path).replace(/\.(tar|tgz|tar\.gz)$/i, '')
  return /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name) ? name : 'package'
}

/** A copy of a package in a directory of its own. */
export interface StagedPackage {
  /** The directory holding only this package (for the executor). */
  readonly packagesDir: string
  /** The package's copy, `packagesDir/<folder>`. */
  readonly dir: string
  remove(): Promise<void>
}

/**
 * Copies (or unpacks) the package into a new directory under `parent` (default:
 * the temp directory). The copy is world-readable, since the subprocess sandbox
 * runs the package as an unprivileged user.
 */
export async function stagePackage(
  source: PackageSource,
  parent = tmpdir(),
): Promise<StagedPackage> {
  const packagesDir = await mkdtemp(join(parent, '.aionctl-'))
  const remove = () => rm(packagesDir, { recursive: true, force: true })
  try {
    await chmod(packagesDir, 0o755)
    const dir = join(packagesDir, folderName(source))
    if (source.kind === 'archive') {
      await mkdir(dir)
      await extractPackageArchive(source.path, dir)
    } else {
      await cp(source.path, dir, { recursive: true, verbatimSymlinks: true })
    }
    await chmod(dir, 0o755)
    return { packagesDir, dir, remove }
  } catch (error) {
    await remove()
    throw error
  }
}
