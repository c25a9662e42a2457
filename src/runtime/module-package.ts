/**
 * A package as the executors take it: read, checked and (for WASM) compiled
 * by the distribution room's AIP reader, which alone knows manifests,
 * archives and package files. The executors only run what they are given.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js'
import type { AipManifest } from '../../contracts/generated/index.js'
import type { ModulePackageInvalidError } from '../core/errors/index.js'
import type { ModuleDescriptor } from './module-executor.js'
import type { WasmModule } from './wasm/wasm-api.js'

/** The manifest file at a package's root. */
export const MANIFEST_FILE = 'aip.yaml'

/** What both runtimes' loaded packages hold. */
interface LoadedPackageBase {
  readonly dir: string
  readonly manifest: AipManifest
  readonly descriptor: ModuleDescriptor
  readonly validateInput: ValidateFunction
  readonly validateOutput: ValidateFunction
}

/** A WASM package that passed every check, its module compiled. */
export interface LoadedPackage extends LoadedPackageBase {
  readonly runtime: 'wasm'
  readonly module: WasmModule
}

/** A subprocess package that passed every check. */
export interface LoadedSubprocessPackage extends LoadedPackageBase {
  readonly runtime: 'subprocess'
  /** Absolute real path of the executable, inside `dir`. */
  readonly entrypoint: string
}

/** A loaded package of either runtime. */
export type AnyLoadedPackage = LoadedPackage | LoadedSubprocessPackage

/** A package that failed a check, with the error that says why. */
export interface QuarantinedPackage {
  readonly dir: string
  readonly error: InstanceType<typeof ModulePackageInvalidError>
}

/** The packages of a directory, by outcome: what the executors are built from. */
export interface LoadedPackages {
  /** WASM packages. */
  readonly loaded: LoadedPackage[]
  readonly subprocess: LoadedSubprocessPackage[]
  readonly quarantined: QuarantinedPackage[]
}
