/** What an install from a registry produces, and what it is built from. */
import type { DistributionSettings } from '../../core/settings/index.js'
import type { ModuleRuntime, ModuleStore, ObjectStore } from '../../storage/index.js'
import type { OciClient } from '../oci/index.js'

/** The logger calls the installer makes (a pino Logger fits). */
export interface InstallLogger {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
}

/** Options of {@link PackageInstaller}. */
export interface PackageInstallerOptions {
  /** The `modules` table. */
  readonly modules: ModuleStore
  /** Where package archives (`packages/…`) and quarantined artifacts (`quarantine/…`) are kept. */
  readonly objects: ObjectStore
  /** The packages directory the executor loads (`AION_MODULES_DIR`). */
  readonly packagesDir: string
  /** Trusted keys, unsigned development installs, registry access. */
  readonly distribution: DistributionSettings
  /** A client per install (closed after it). @default `OciClient.fromSettings(distribution)` */
  readonly client?: () => OciClient
  readonly logger?: InstallLogger
  /** Tenant of the rows. @default 'default' (packages serve the whole platform) */
  readonly tenantId?: string
}

/** What both outcomes say about the artifact. */
interface InstallOutcomeBase {
  /** The reference as asked for. */
  readonly reference: string
  readonly name: string
  readonly version: string
  /** The artifact manifest's digest (what a signature covers and `@sha256:` pins). */
  readonly digest: string
  readonly runtime: ModuleRuntime
}

/** A package that passed every check, stored, extracted and registered. */
export interface InstalledPackage extends InstallOutcomeBase {
  readonly status: 'installed'
  /** Key id of the trusted key whose signature verified; null for an unsigned development install. */
  readonly signerKeyId: string | null
  /** `registry/repository@sha256:…` of the attached SBOM, when there is one. */
  readonly sbomRef: string | null
  /** The archive's object key, `packages/sha256/<hex>.tar.gz`. */
  readonly packageKey: string
  /** Where the package was extracted. */
  readonly dir: string
  /** Installed without a verified signature (AION_ALLOW_UNSIGNED). */
  readonly unsigned: boolean
}

/** A package that failed a check: kept under `quarantine/…` with its reason, never extracted. */
export interface QuarantinedInstall extends InstallOutcomeBase {
  readonly status: 'quarantined'
  /** The code of the failed check. */
  readonly reasonCode: string
  readonly reason: string
  /** What the object store keeps of it (manifest, archive when it was verified, reason). */
  readonly objectKeys: readonly string[]
  /**
   * Whether the `modules` row says quarantined: false when a package of the
   * same name and version is installed (that verified one keeps its row).
   */
  readonly recorded: boolean
}

/** The outcome of one install. Registry outages are thrown (retryable), never an outcome. */
export type InstallOutcome = InstalledPackage | QuarantinedInstall
