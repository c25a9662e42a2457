/**
 * Puts a verified package archive into the packages directory the executor
 * loads, as `<packagesDir>/<name>/`. The archive is extracted into a hidden
 * staging folder inside the packages directory (the executor skips dot
 * folders), and only then renamed into place — a rename within one file
 * system — after any package of the same name was moved aside. Until
 * `commit()`, `rollback()` restores what was there.
 */
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parse } from 'yaml'
import { extractPackageArchive } from '../aip/aip-archive.js'
import { MANIFEST_FILE } from '../aip/index.js'

/** A package put in place, still undoable. */
export interface Placement {
  /** The package's folder. */
  readonly dir: string
  /** Whether another package of the name was replaced. */
  readonly replaced: boolean
  /** Drops what was replaced; the placement is final. */
  commit(): Promise<void>
  /** Takes the package out again and puts back what it replaced. */
  rollback(): Promise<void>
}

async function manifestName(dir: string): Promise<string | undefined> {
  try {
    const manifest = parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as {
      metadata?: { name?: unknown }
    } | null
    const name = manifest?.metadata?.name
    return typeof name === 'string' ? name : undefined
  } catch {
    return undefined
  }
}

/** Folders of `packagesDir` that hold the package `name`: the one named so, and any declaring it. */
async function foldersOf(packagesDir: string, name: string): Promise<string[]> {
  const entries = await readdir(packagesDir, { withFileTypes: true })
  const folders: string[] = []
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue
    const dir = join(packagesDir, entry.name)
    if (entry.name === name || (await manifestName(dir)) === name) folders.push(dir)
  }
  return folders
}

/** Extracts `archiveFile` (already checked) as package `name` into `packagesDir`. */
export async function placePackage(
  archiveFile: string,
  packagesDir: string,
  name: string,
): Promise<Placement> {
  await mkdir(packagesDir, { recursive: true })
  const staging = await mkdtemp(join(packagesDir, '.install-'))
  const aside = join(staging, 'replaced')
  const moved: string[] = []
  const target = join(packagesDir, name)
  const fresh = join(staging, name)
  let placed = false
  const undo = async () => {
    if (placed) await rm(target, { recursive: true, force: true })
    for (const dir of moved) await rename(join(aside, basename(dir)), dir)
    await rm(staging, { recursive: true, force: true })
  }
  try {
    await mkdir(fresh)
    await extractPackageArchive(archiveFile, fresh)
    await mkdir(aside)
    for (const dir of await foldersOf(packagesDir, name)) {
      await rename(dir, join(aside, basename(dir)))
      moved.push(dir)
    }
    await rename(fresh, target)
    placed = true
  } catch (error) {
    await undo()
    throw error
  }
  return {
    dir: target,
    replaced: moved.length > 0,
    commit: () => rm(staging, { recursive: true, force: true }),
    rollback: undo,
  }
}
