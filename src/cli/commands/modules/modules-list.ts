/**
 * `aionctl modules list`: the packages in the packages directory
 * (`AION_MODULES_DIR`), each checked as the platform checks it at start, with
 * its digest and whether it would run (`ok`) or be quarantined, and why.
 */
import { basename } from 'node:path'
import { Command } from 'commander'
import { loadSettings } from '../../../core/settings/index.js'
import { checkPackage } from '../../../distribution/aip/index.js'
import { listPackageFiles, packageDigest } from './package-files.js'
import { packageFolders } from './package-source.js'

/** One row of the listing. */
export interface PackageRow {
  readonly folder: string
  readonly name: string | undefined
  readonly version: string | undefined
  readonly runtime: string | undefined
  readonly intents: readonly string[]
  readonly digest: string
  readonly status: 'ok' | 'quarantined'
  /** Why it is quarantined: the first problem, and how many more there are. */
  readonly reason: string | undefined
}

async function row(dir: string, names: Set<string>): Promise<PackageRow> {
  const { manifest, problems } = await checkPackage(dir)
  const name = manifest?.metadata.name
  const reasons = problems.map(
    (p) => `${p.code}: ${p.file}: ${p.path ? `${p.path} ` : ''}${p.message}`,
  )
  if (name !== undefined && problems.length === 0 && names.has(name)) {
    reasons.push(`another package already provides module ${name}`)
  }
  if (name !== undefined && reasons.length === 0) names.add(name)
  const more = reasons.length > 1 ? ` (and ${reasons.length - 1} more)` : ''
  return {
    folder: basename(dir),
    name,
    version: manifest?.metadata.version,
    runtime: manifest?.runtime.type,
    intents: manifest?.intents ?? [],
    digest: packageDigest(await listPackageFiles(dir)),
    status: reasons.length === 0 ? 'ok' : 'quarantined',
    reason: reasons.length === 0 ? undefined : `${reasons[0]}${more}`,
  }
}

/** The rows of every package folder of `packagesDir`, in folder order. */
export async function listPackages(packagesDir: string): Promise<PackageRow[]> {
  const names = new Set<string>()
  const rows: PackageRow[] = []
  for (const dir of await packageFolders(packagesDir)) rows.push(await row(dir, names))
  return rows
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((r) => r[column]!.length)))
  return rows
    .map((r) =>
      r
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

export function listCommand(): Command {
  return new Command('list')
    .description(
      'list the packages in the packages directory (AION_MODULES_DIR) with digest and status (ok, or quarantined and why)',
    )
    .option('--json', 'print JSON for machines')
    .action(async function list(options: { json?: boolean }) {
      const packagesDir = loadSettings().modules.packagesDir
      const rows = await listPackages(packagesDir)
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ packagesDir, packages: rows }, null, 2)}\n`)
        return
      }
      if (rows.length === 0) {
        process.stdout.write(`no packages in ${packagesDir}\n`)
        return
      }
      const header = ['NAME', 'VERSION', 'RUNTIME', 'INTENTS', 'DIGEST', 'STATUS']
      const cells = rows.map((r) => [
        r.name ?? `(${r.folder})`,
        r.version ?? '-',
        r.runtime ?? '-',
        r.intents.join(',') || '-',
        r.digest.slice(0, 'sha256:'.length + 12),
        r.status,
      ])
      process.stdout.write(`${table([header, ...cells])}\n`)
      for (const r of rows) {
        if (r.reason) process.stdout.write(`${r.name ?? r.folder}: quarantined: ${r.reason}\n`)
      }
    })
}
