import type { AuditAction } from './audit.js'

/** An AIP package of the `modules` table, as the admin API lists it. */
export interface ModulePackage {
  readonly name: string
  readonly version: string
  /** The artifact manifest's digest. */
  readonly digest: string
  readonly runtime: 'wasm' | 'subprocess'
  /** `installed` runs; `quarantined` never does (see `reason`). */
  readonly status: 'installed' | 'quarantined'
  readonly signerKeyId: string | null
  readonly sbomRef: string | null
  /** `<code>: <message>` of a quarantined package. */
  readonly reason: string | null
  readonly updatedAt: string
}

/** A package an install put into service. */
export interface InstalledModule {
  readonly name: string
  readonly version: string
  readonly digest: string
  readonly runtime: 'wasm' | 'subprocess'
  readonly status: 'installed'
  /** Null only for an unsigned development install (AION_ALLOW_UNSIGNED). */
  readonly signerKeyId: string | null
  readonly sbomRef: string | null
}

/**
 * How an install ended, with its audit entry: the package in service, or the
 * error a quarantine answers (AION_MODULE_QUARANTINED with the failed check).
 */
export type ModuleInstallResult =
  | { readonly audit: AuditAction; readonly installed: InstalledModule }
  | { readonly audit: AuditAction; readonly refused: Error }
