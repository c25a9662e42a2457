/**
 * Loads AIP packages — a directory with `aip.yaml` at its root, or a `.tar`,
 * `.tar.gz`/`.tgz` of one — for both runtimes: validates the manifest against
 * the aip-manifest contract, compiles the input and output schemas, checks the
 * package's files (see aip-package-files.ts, aip-archive.ts), and then per
 * runtime: a WASM module is compiled once and checked against its manifest; a
 * subprocess entrypoint must be an executable regular file inside the package.
 * A package that fails any check is quarantined with its reason and never run.
 */
import { mkdtemp, readdir, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { parseDocument } from 'yaml'
import type { AipManifest } from '../../../contracts/generated/index.js'
import { checkContract } from '../../core/contracts/contract-validator.js'
import {
  type AionError,
  type ModuleArchiveIssueFields,
  ModulePackageInvalidError,
} from '../../core/errors/index.js'
import { checkPackageArchive, extractPackageArchive, isPackageArchive } from './aip-archive.js'
import {
  checkEntrypoint,
  checkPackageTree,
  packageInvalid,
  problem,
  readPackageFile,
} from './aip-package-files.js'
import type { ModuleDescriptor } from '../../runtime/module-executor.js'
import {
  MANIFEST_FILE,
  type AnyLoadedPackage,
  type LoadedPackages,
} from '../../runtime/module-package.js'
import { wasm, type WasmModule } from '../../runtime/wasm/wasm-api.js'
import { checkWasmModule } from '../../runtime/wasm/wasm-checks.js'

// ajv-formats is CommonJS with `module.exports = formatsPlugin`.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

type PackageInvalid = InstanceType<typeof ModulePackageInvalidError>

const MANIFEST_MAX_BYTES = 64 * 1024
const SCHEMA_MAX_BYTES = 1024 * 1024

/** One problem found by {@link checkPackage}. */
export interface PackageProblem {
  /** Stable code: `AION_MODULE_PACKAGE_INVALID` or one of the `AION_MODULE_ARCHIVE_*` codes. */
  readonly code: string
  /** The file (or archive entry) the problem is in, relative to the package. */
  readonly file: string
  /** JSON pointer into the file, or the offending path inside the package; `''` for the whole. */
  readonly path: string
  /** The rule that failed (`exists`, `executable`, `setuid`, a schema keyword…), when known. */
  readonly rule?: string
  readonly message: string
}

/** The result of {@link checkPackage}: the manifest when it could be read, and every problem. */
export interface PackageCheck {
  readonly manifest: AipManifest | undefined
  readonly problems: readonly PackageProblem[]
}

async function readManifest(dir: string): Promise<AipManifest> {
  const text = (await readPackageFile(dir, MANIFEST_FILE, MANIFEST_MAX_BYTES)).toString('utf8')
  const document = parseDocument(text, { uniqueKeys: true })
  if (document.errors.length > 0) {
    const violations = document.errors.map((e) => ({
      path: '',
      message: e.message,
      keyword: 'yaml',
    }))
    throw packageInvalid(dir, MANIFEST_FILE, violations)
  }
  const data: unknown = document.toJS()
  const violations = checkContract('aip-manifest', data)
  if (violations.length > 0) throw packageInvalid(dir, MANIFEST_FILE, violations)
  return data as AipManifest
}

async function compileSchema(ajv: Ajv2020, dir: string, file: string) {
  const bytes = await readPackageFile(dir, file, SCHEMA_MAX_BYTES)
  let schema: unknown
  try {
    schema = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw packageInvalid(dir, file, problem(`not JSON: ${(error as Error).message}`, 'json'))
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw packageInvalid(dir, file, problem('a JSON Schema must be an object', 'type'))
  }
  try {
    return { schema: schema as Record<string, unknown>, validate: ajv.compile(schema) }
  } catch (error) {
    throw packageInvalid(dir, file, problem(`not a valid JSON Schema: ${(error as Error).message}`))
  }
}

async function compileModule(dir: string, manifest: AipManifest): Promise<WasmModule> {
  const file = manifest.runtime.module
  const binary = await readPackageFile(dir, file, 256 * 1024 * 1024).catch((error: unknown) => {
    if (!(error instanceof ModulePackageInvalidError)) throw error
    const built = 'not found (WASM modules are built by `npm run build:modules`)'
    throw packageInvalid(dir, file, problem(built, 'exists'))
  })
  let module: WasmModule
  try {
    module = await wasm.compile(binary)
  } catch (error) {
    throw packageInvalid(dir, file, problem(`not a valid WASM module: ${(error as Error).message}`))
  }
  const violations = checkWasmModule(binary, module, manifest.runtime.resources.memory)
  if (violations.length > 0) throw packageInvalid(dir, file, violations)
  return module
}

/** Runs one check; a failed check's error is collected instead of thrown. */
async function attempt<T>(
  errors: PackageInvalid[],
  check: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await check()
  } catch (error) {
    if (!(error instanceof ModulePackageInvalidError)) throw error
    errors.push(error)
    return undefined
  }
}

interface Inspection {
  readonly manifest: AipManifest | undefined
  readonly errors: PackageInvalid[]
  /** Undefined when a check failed or the runtime was not asked for. */
  readonly pkg: AnyLoadedPackage | undefined
}

/** Runs every check of a package directory that its manifest allows, collecting each failure. */
async function inspectDir(
  dir: string,
  runtimes: readonly ModuleDescriptor['runtime'][] = ['wasm', 'subprocess'],
): Promise<Inspection> {
  const errors: PackageInvalid[] = []
  const manifest = await attempt(errors, () => readManifest(dir))
  if (!manifest || !runtimes.includes(manifest.runtime.type))
    return { manifest, errors, pkg: undefined }
  const tree = await checkPackageTree(dir)
  if (tree.length > 0) errors.push(packageInvalid(dir, '.', tree))
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
  addFormats(ajv)
  const { input, output } = manifest.entrypoints.schema
  const inputSchema = await attempt(errors, () => compileSchema(ajv, dir, input))
  const outputSchema = await attempt(errors, () => compileSchema(ajv, dir, output))
  const runtime = manifest.runtime.type
  const target = await attempt<string | WasmModule>(errors, () =>
    runtime === 'wasm'
      ? compileModule(dir, manifest)
      : checkEntrypoint(dir, manifest.runtime.module),
  )
  if (errors.length > 0 || !inputSchema || !outputSchema || target === undefined) {
    return { manifest, errors, pkg: undefined }
  }
  const descriptor: ModuleDescriptor = {
    name: manifest.metadata.name,
    version: manifest.metadata.version,
    runtime,
    intents: [...manifest.intents],
    inputSchema: inputSchema.schema,
    outputSchema: outputSchema.schema,
    timeoutMs: manifest.policies.timeout_ms,
    retries: manifest.policies.retries ?? 0,
  }
  const base = {
    dir,
    manifest,
    descriptor,
    validateInput: inputSchema.validate,
    validateOutput: outputSchema.validate,
  }
  const pkg: AnyLoadedPackage =
    typeof target === 'string'
      ? { ...base, runtime: 'subprocess', entrypoint: target }
      : { ...base, runtime: 'wasm', module: target }
  return { manifest, errors, pkg }
}

function toProblems(error: PackageInvalid): PackageProblem[] {
  return error.fields.violations.map((v) => ({
    code: error.code,
    file: error.fields.file,
    path: v.path,
    ...(v.keyword === undefined ? {} : { rule: v.keyword }),
    message: v.message,
  }))
}

function archiveProblem(error: AionError<ModuleArchiveIssueFields>): PackageProblem {
  return { code: error.code, file: error.fields.entry, path: '', message: error.message }
}

/**
 * Every problem of the package at `source` (a directory or an archive), without
 * running anything: for `aionctl modules install` and `inspect`. An archive is
 * checked entry by entry first and, only when clean, unpacked into a temporary
 * directory (removed again) for the package checks.
 */
export async function checkPackage(source: string): Promise<PackageCheck> {
  if (!isPackageArchive(source)) {
    const { manifest, errors } = await inspectDir(source)
    return { manifest, problems: errors.flatMap(toProblems) }
  }
  const archiveProblems = await checkPackageArchive(source)
  if (archiveProblems.length > 0) {
    return { manifest: undefined, problems: archiveProblems.map(archiveProblem) }
  }
  const dir = await mkdtemp(join(tmpdir(), 'aion-aip-'))
  try {
    await extractPackageArchive(source, dir)
    const { manifest, errors } = await inspectDir(dir)
    return { manifest, problems: errors.flatMap(toProblems) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Options of {@link loadPackage}. */
export interface LoadPackageOptions {
  /** Where an archive is unpacked (an existing, empty directory the caller owns). @default a new temporary directory */
  readonly extractTo?: string
}

/**
 * Loads and checks one package, a directory or an archive (unpacked first, see
 * {@link LoadPackageOptions.extractTo}). Throws ModulePackageInvalidError (or an
 * `AION_MODULE_ARCHIVE_*` error) for the first failed check.
 */
export async function loadPackage(
  source: string,
  options: LoadPackageOptions = {},
): Promise<AnyLoadedPackage> {
  let dir = source
  if (isPackageArchive(source)) {
    dir = options.extractTo ?? (await mkdtemp(join(tmpdir(), 'aion-aip-')))
    await extractPackageArchive(source, dir)
    dir = await realpath(dir)
  }
  const { errors, pkg } = await inspectDir(dir)
  if (errors[0]) throw errors[0]
  return pkg as AnyLoadedPackage
}

/** Options of {@link loadPackages}. */
export interface LoadPackagesOptions {
  /** Runtimes to load; packages of others are skipped (neither loaded nor quarantined). @default both */
  readonly runtimes?: readonly ModuleDescriptor['runtime'][]
}

/** Every package folder under `packagesDir` (sorted by folder), loaded or quarantined. */
export async function loadPackages(
  packagesDir: string,
  options: LoadPackagesOptions = {},
): Promise<LoadedPackages> {
  const entries = await readdir(packagesDir, { withFileTypes: true })
  const dirs = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => join(packagesDir, entry.name))
    .sort()
  const result: LoadedPackages = { loaded: [], subprocess: [], quarantined: [] }
  const names = new Set<string>()
  for (const dir of dirs) {
    const { errors, pkg } = await inspectDir(dir, options.runtimes)
    if (errors[0]) {
      result.quarantined.push({ dir, error: errors[0] })
    } else if (pkg && names.has(pkg.descriptor.name)) {
      const message = `another package already provides module ${pkg.descriptor.name}`
      const violations = [{ path: '/metadata/name', message, keyword: 'unique' }]
      result.quarantined.push({ dir, error: packageInvalid(dir, MANIFEST_FILE, violations) })
    } else if (pkg) {
      names.add(pkg.descriptor.name)
      if (pkg.runtime === 'wasm') result.loaded.push(pkg)
      else result.subprocess.push(pkg)
    }
  }
  return result
}
