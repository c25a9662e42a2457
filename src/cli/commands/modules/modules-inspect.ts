/**
 * `aionctl modules inspect <pkg|dir|tarball>`: what a package is and may do —
 * manifest, schemas, limits, permissions, files with sizes and digests — and
 * every problem the platform's checks find in it. Exits 1 when it has any.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Command } from 'commander'
import type { AipManifest } from '../../../../contracts/generated/index.js'
import { loadSettings } from '../../../core/settings/index.js'
import { checkPackage, type PackageProblem } from '../../../distribution/aip/index.js'
import { listPackageFiles, packageDigest, sha256File, type PackageFile } from './package-files.js'
import { resolveSource, stagePackage, type PackageSource } from './package-source.js'

/** Everything `inspect` reports. */
export interface Inspection {
  readonly source: PackageSource
  /** SHA-256 of the archive file itself, for an archive. */
  readonly archiveSha256: string | undefined
  readonly manifest: AipManifest | undefined
  /** The package digest (see package-files.ts); undefined when an archive could not be unpacked. */
  readonly digest: string | undefined
  readonly files: readonly PackageFile[]
  readonly schemas: { readonly input: unknown; readonly output: unknown }
  readonly valid: boolean
  readonly problems: readonly PackageProblem[]
}

async function readJson(dir: string, file: string | undefined): Promise<unknown> {
  if (file === undefined) return undefined
  try {
    return JSON.parse(await readFile(join(dir, file), 'utf8')) as unknown
  } catch {
    return undefined
  }
}

/** Files, digest and schemas of a package directory. */
async function contents(dir: string, manifest: AipManifest | undefined) {
  const files = await listPackageFiles(dir)
  const schema = manifest?.entrypoints.schema
  return {
    files,
    digest: packageDigest(files),
    schemas: {
      input: await readJson(dir, schema?.input),
      output: await readJson(dir, schema?.output),
    },
  }
}

export async function inspectPackage(source: PackageSource): Promise<Inspection> {
  const { manifest, problems } = await checkPackage(source.path)
  const valid = problems.length === 0
  if (source.kind === 'directory') {
    const found = await contents(source.path, manifest)
    return { source, archiveSha256: undefined, manifest, ...found, valid, problems }
  }
  const archiveSha256 = await sha256File(source.path)
  // An archive with problems of its own is never unpacked.
  if (problems.some((p) => p.code.startsWith('AION_MODULE_ARCHIVE_'))) {
    const schemas = { input: undefined, output: undefined }
    return {
      source,
      archiveSha256,
      manifest,
      digest: undefined,
      files: [],
      schemas,
      valid,
      problems,
    }
  }
  const staged = await stagePackage(source)
  try {
    const found = await contents(staged.dir, manifest)
    return { source, archiveSha256, manifest, ...found, valid, problems }
  } finally {
    await staged.remove()
  }
}

function describeSchema(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return '(unreadable)'
  const s = schema as { title?: string; required?: string[]; properties?: object }
  const properties = Object.keys(s.properties ?? {})
  const required = new Set(s.required ?? [])
  const fields = properties.map((p) => (required.has(p) ? p : `${p}?`)).join(', ')
  return `${s.title ?? 'schema'} {${fields}}`
}

function describeManifest(m: AipManifest): string[] {
  const r = m.runtime.resources
  const gpu = r.gpu?.required
    ? `${r.gpu.count ?? 1}x ${r.gpu.vendor}${r.gpu.memory ? ` ${r.gpu.memory}` : ''}`
    : 'none'
  const network =
    m.permissions.network === 'deny' ? 'deny' : `allow ${m.permissions.network.allow.join(', ')}`
  const secrets = m.permissions.secrets?.length ? m.permissions.secrets.join(', ') : 'none'
  return [
    `package      ${m.metadata.name} ${m.metadata.version} (${m.runtime.type}) by ${m.metadata.authors.join(', ')}, ${m.metadata.license}`,
    `intents      ${m.intents.join(', ')}`,
    `entrypoint   ${m.runtime.module}`,
    `limits       memory ${r.memory}, cpu ${r.cpu ?? 'unset'}, gpu ${gpu}, timeout ${m.policies.timeout_ms} ms, retries ${m.policies.retries ?? 0}`,
    `permissions  filesystem ${m.permissions.filesystem}, network ${network}, secrets ${secrets}`,
  ]
}

/** The human report of an inspection. */
export function formatInspection(report: Inspection): string {
  const lines = [`source       ${report.source.path} (${report.source.kind})`]
  if (report.archiveSha256) lines.push(`archive      sha256:${report.archiveSha256}`)
  if (report.manifest) lines.push(...describeManifest(report.manifest))
  if (report.digest) lines.push(`digest       ${report.digest}`)
  if (report.manifest) {
    lines.push(`input        ${describeSchema(report.schemas.input)}`)
    lines.push(`output       ${describeSchema(report.schemas.output)}`)
  }
  if (report.files.length > 0) {
    lines.push(`files        ${report.files.length}`)
    for (const f of report.files) {
      lines.push(
        `  ${f.mode.padEnd(4)} ${String(f.sizeBytes).padStart(10)}  sha256:${f.sha256}  ${f.path}`,
      )
    }
  }
  if (report.valid) {
    lines.push('validation   ok')
  } else {
    lines.push(`validation   ${report.problems.length} problem(s)`)
    for (const p of report.problems) {
      lines.push(`  ${p.code}  ${p.file}${p.path ? ` ${p.path}` : ''}: ${p.message}`)
    }
  }
  return lines.join('\n')
}

export function inspectCommand(): Command {
  return new Command('inspect')
    .description(
      'show a package (directory, .tar/.tar.gz/.tgz, or installed name): manifest, schemas, limits, permissions, files with digests, and every validation problem (exit 1 when any)',
    )
    .argument('<package>', 'a package directory, a package archive, or an installed package name')
    .option('--json', 'print JSON for machines (manifest and schemas in full)')
    .action(async function inspect(source: string, options: { json?: boolean }) {
      const packagesDir = loadSettings().modules.packagesDir
      const report = await inspectPackage(await resolveSource(source, packagesDir))
      process.stdout.write(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatInspection(report)}\n`,
      )
      process.exitCode = report.valid ? 0 : 1
    })
}
