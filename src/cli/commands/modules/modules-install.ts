/**
 * `aionctl modules install <dir|tarball>`: every check the platform makes
 * (manifest, schemas, package tree, archive entries, WASM module or subprocess
 * entrypoint), then a copy into the packages directory (`AION_MODULES_DIR`) as
 * `<name>/`. A refusal lists every problem and installs nothing. The copy is
 * staged inside the packages directory, checked again, and renamed into place,
 * so the platform never sees half a package.
 */
import { mkdir, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Command } from 'commander'
import {
  ModuleInstallConflictError,
  ModuleInstallRefusedError,
} from '../../../core/errors/index.js'
import { loadSettings } from '../../../core/settings/index.js'
import type { AipManifest } from '../../../../contracts/generated/index.js'
import { checkPackage, type PackageProblem } from '../../../distribution/aip/index.js'
import { listPackageFiles, packageDigest } from './package-files.js'
import { findInstalled, resolveSource, stagePackage } from './package-source.js'

/** What was installed. */
export interface Installed {
  readonly name: string
  readonly version: string
  readonly digest: string
  readonly dir: string
  /** `installed`, `replaced` (another copy was there) or `unchanged` (the same digest was). */
  readonly outcome: 'installed' | 'replaced' | 'unchanged'
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false
}

function printProblems(source: string, problems: readonly PackageProblem[]): void {
  for (const p of problems) {
    process.stderr.write(
      `${source}: ${p.code}: ${p.file}${p.path ? ` ${p.path}` : ''}: ${p.message}\n`,
    )
  }
}

/** The manifest of a package without problems; otherwise prints every problem and refuses. */
async function checked(source: string, dir: string): Promise<AipManifest> {
  const { manifest, problems } = await checkPackage(dir)
  if (manifest !== undefined && problems.length === 0) return manifest
  printProblems(source, problems)
  throw new ModuleInstallRefusedError({ source, problems: problems.length })
}

export async function installPackage(
  source: string,
  packagesDir: string,
  replace: boolean,
): Promise<Installed> {
  const resolved = await resolveSource(source, packagesDir, { byName: false })
  await checked(source, resolved.path)
  await mkdir(packagesDir, { recursive: true })
  const staged = await stagePackage(resolved, packagesDir)
  try {
    // What is installed is the copy: check it, not only the source it came from.
    const { name, version } = (await checked(source, staged.dir)).metadata
    const digest = packageDigest(await listPackageFiles(staged.dir))
    const target = join(packagesDir, name)
    // The package of that name, or whatever already sits in the folder it would take.
    const existing =
      (await findInstalled(name, packagesDir)) ?? ((await isDirectory(target)) ? target : undefined)
    if (existing !== undefined) {
      const installedDigest = packageDigest(await listPackageFiles(existing))
      if (installedDigest === digest) {
        return { name, version, digest, dir: existing, outcome: 'unchanged' }
      }
      if (!replace) {
        const { manifest: old } = await checkPackage(existing)
        throw new ModuleInstallConflictError({
          module: name,
          dir: existing,
          installedVersion: old?.metadata.version ?? '(unreadable)',
          installedDigest,
          digest,
        })
      }
      await rename(existing, join(staged.packagesDir, 'replaced'))
    }
    await rename(staged.dir, target)
    return {
      name,
      version,
      digest,
      dir: target,
      outcome: existing === undefined ? 'installed' : 'replaced',
    }
  } finally {
    await staged.remove()
  }
}

export function installCommand(): Command {
  return new Command('install')
    .description(
      'check a package (directory or .tar/.tar.gz/.tgz) with every platform check and copy it into the packages directory (AION_MODULES_DIR); a refusal lists every problem and exits 1',
    )
    .argument('<package>', 'a package directory or a package archive')
    .option('--replace', 'replace an installed package of the same name whose content differs')
    .option('--json', 'print JSON for machines')
    .action(async function install(source: string, options: { replace?: boolean; json?: boolean }) {
      const packagesDir = loadSettings().modules.packagesDir
      const installed = await installPackage(source, packagesDir, Boolean(options.replace))
      if (options.json) {
        process.stdout.write(`${JSON.stringify(installed, null, 2)}\n`)
        return
      }
      const { name, version, digest, dir, outcome } = installed
      process.stdout.write(`${outcome} ${name} ${version} ${digest}\n  into ${dir}\n`)
      if (outcome !== 'unchanged')
        process.stdout.write('  (a running platform loads it at its next start)\n')
    })
}
