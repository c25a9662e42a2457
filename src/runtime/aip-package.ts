/**
 * Loads AIP packages from a directory (one folder per package, `aip.yaml` at its
 * root): validates the manifest against the aip-manifest contract, compiles the
 * module's input and output schemas and the WASM module once, and checks the
 * module against its manifest. A package that fails any check is quarantined
 * with its reason and never run.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import { basename, join, sep } from 'node:path'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { parseDocument } from 'yaml'
import type { AipManifest } from '../../contracts/generated/index.js'
import { checkContract } from '../core/contracts/contract-validator.js'
import { ModulePackageInvalidError, type Violation } from '../core/errors/index.js'
import type { ModuleDescriptor } from './module-executor.js'
import { wasm, type WasmModule } from './wasm-api.js'
import { checkWasmModule } from './wasm-checks.js'

// ajv-formats is CommonJS with `module.exports = formatsPlugin`.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

/** The manifest file at a package's root. */
export const MANIFEST_FILE = 'aip.yaml'

const MANIFEST_MAX_BYTES = 64 * 1024
const SCHEMA_MAX_BYTES = 1024 * 1024

/** A package that passed every check, ready to run. */
export interface LoadedPackage {
  readonly dir: string
  readonly descriptor: ModuleDescriptor
  readonly module: WasmModule
  readonly validateInput: ValidateFunction
  readonly validateOutput: ValidateFunction
}

/** A package that failed a check, with the error that says why. */
export interface QuarantinedPackage {
  readonly dir: string
  readonly error: InstanceType<typeof ModulePackageInvalidError>
}

/** The error for a failed check; the package is named by its folder (the manifest may be unreadable). */
function invalid(dir: string, file: string, violations: readonly Violation[]) {
  return new ModulePackageInvalidError({ package: basename(dir), file, violations })
}

function problem(message: string, keyword?: string): Violation[] {
  return [{ path: '', message, ...(keyword === undefined ? {} : { keyword }) }]
}

/** Reads a file inside the package; refuses one whose real path leaves the package. */
async function readPackageFile(dir: string, file: string, maxBytes: number): Promise<Buffer> {
  const path = join(dir, file)
  let real: string
  try {
    real = await realpath(path)
  } catch {
    throw invalid(dir, file, problem('file not found', 'exists'))
  }
  if (!real.startsWith((await realpath(dir)) + sep)) {
    throw invalid(dir, file, problem('resolves outside the package', 'package_path'))
  }
  const info = await stat(real)
  if (!info.isFile()) throw invalid(dir, file, problem('is not a regular file', 'exists'))
  if (info.size > maxBytes) throw invalid(dir, file, problem(`exceeds ${maxBytes} bytes`, 'size'))
  return readFile(real)
}

async function readManifest(dir: string): Promise<AipManifest> {
  const text = (await readPackageFile(dir, MANIFEST_FILE, MANIFEST_MAX_BYTES)).toString('utf8')
  const document = parseDocument(text, { uniqueKeys: true })
  if (document.errors.length > 0) {
    throw invalid(
      dir,
      MANIFEST_FILE,
      document.errors.map((e) => ({ path: '', message: e.message, keyword: 'yaml' })),
    )
  }
  const data: unknown = document.toJS()
  const violations = checkContract('aip-manifest', data)
  if (violations.length > 0) throw invalid(dir, MANIFEST_FILE, violations)
  return data as AipManifest
}

async function readSchema(dir: string, file: string): Promise<Record<string, unknown>> {
  const bytes = await readPackageFile(dir, file, SCHEMA_MAX_BYTES)
  let schema: unknown
  try {
    schema = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw invalid(dir, file, problem(`not JSON: ${(error as Error).message}`, 'json'))
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw invalid(dir, file, problem('a JSON Schema must be an object', 'type'))
  }
  return schema as Record<string, unknown>
}

function compileSchema(ajv: Ajv2020, dir: string, file: string, schema: object): ValidateFunction {
  try {
    return ajv.compile(schema)
  } catch (error) {
    throw invalid(dir, file, problem(`not a valid JSON Schema: ${(error as Error).message}`))
  }
}

async function compileModule(dir: string, manifest: AipManifest): Promise<WasmModule> {
  const file = manifest.runtime.module
  const binary = await readPackageFile(dir, file, 256 * 1024 * 1024).catch((error: unknown) => {
    if (!(error instanceof ModulePackageInvalidError)) throw error
    const built = 'not found (WASM modules are built by `npm run build:modules`)'
    throw invalid(dir, file, problem(built, 'exists'))
  })
  let module: WasmModule
  try {
    module = await wasm.compile(binary)
  } catch (error) {
    throw invalid(dir, file, problem(`not a valid WASM module: ${(error as Error).message}`))
  }
  const violations = checkWasmModule(binary, module, manifest.runtime.resources.memory)
  if (violations.length > 0) throw invalid(dir, file, violations)
  return module
}

/** Loads and checks one package; throws ModulePackageInvalidError on the first failed check. */
export async function loadPackage(dir: string): Promise<LoadedPackage> {
  const manifest = await readManifest(dir)
  if (manifest.runtime.type !== 'wasm') {
    const message = `runtime ${manifest.runtime.type} is not supported by the WASM executor`
    throw invalid(dir, MANIFEST_FILE, [{ path: '/runtime/type', message, keyword: 'enum' }])
  }
  const { input, output } = manifest.entrypoints.schema
  const inputSchema = await readSchema(dir, input)
  const outputSchema = await readSchema(dir, output)
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
  addFormats(ajv)
  const validateInput = compileSchema(ajv, dir, input, inputSchema)
  const validateOutput = compileSchema(ajv, dir, output, outputSchema)
  const module = await compileModule(dir, manifest)
  const descriptor: ModuleDescriptor = {
    name: manifest.metadata.name,
    version: manifest.metadata.version,
    runtime: manifest.runtime.type,
    intents: [...manifest.intents],
    inputSchema,
    outputSchema,
    timeoutMs: manifest.policies.timeout_ms,
  }
  return { dir, descriptor, module, validateInput, validateOutput }
}

/** Every package under `packagesDir` (sorted by folder), loaded or quarantined. */
export async function loadPackages(
  packagesDir: string,
): Promise<{ loaded: LoadedPackage[]; quarantined: QuarantinedPackage[] }> {
  const entries = await readdir(packagesDir, { withFileTypes: true })
  const dirs = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => join(packagesDir, entry.name))
    .sort()
  const loaded: LoadedPackage[] = []
  const quarantined: QuarantinedPackage[] = []
  const names = new Set<string>()
  for (const dir of dirs) {
    try {
      const pkg = await loadPackage(dir)
      if (names.has(pkg.descriptor.name)) {
        const message = `another package already provides module ${pkg.descriptor.name}`
        throw invalid(dir, MANIFEST_FILE, [{ path: '/metadata/name', message, keyword: 'unique' }])
      }
      names.add(pkg.descriptor.name)
      loaded.push(pkg)
    } catch (error) {
      if (!(error instanceof ModulePackageInvalidError)) throw error
      quarantined.push({ dir, error })
    }
  }
  return { loaded, quarantined }
}
