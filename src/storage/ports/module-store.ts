import type { JsonValue } from '../../core/domain/index.js'

/** How a module runs. */
export type ModuleRuntime = 'wasm' | 'subprocess'

/** An installed module is runnable; a quarantined one never runs (see `reason`). */
export type ModuleStatus = 'installed' | 'quarantined'

/** An AIP package as installed. */
export interface ModuleRecord {
  readonly tenantId: string
  readonly name: string
  readonly version: string
  /** Content digest of the artifact (`sha256:…`). */
  readonly digest: string
  readonly runtime: ModuleRuntime
  readonly signerKeyId: string | null
  readonly sbomRef: string | null
  readonly status: ModuleStatus
  readonly reason: string | null
  readonly manifest: JsonValue | null
  readonly createdAt: string
  readonly updatedAt: string
}

/** What {@link ModuleStore.upsert} needs. */
export interface ModuleInput {
  /** @default 'default' */
  readonly tenantId?: string
  readonly name: string
  readonly version: string
  readonly digest: string
  readonly runtime: ModuleRuntime
  /** @default null */
  readonly signerKeyId?: string | null
  /** @default null */
  readonly sbomRef?: string | null
  readonly status: ModuleStatus
  /** @default null */
  readonly reason?: string | null
  /** @default null */
  readonly manifest?: JsonValue | null
  /** ISO-8601; @default now */
  readonly at?: string
}

/** The `modules` table. */
export interface ModuleStore {
  /** Inserts or replaces by `(tenantId, name, version)`. */
  upsert(input: ModuleInput): Promise<ModuleRecord>
  get(tenantId: string, name: string, version: string): Promise<ModuleRecord | undefined>
  /** By name then version, optionally of one status. */
  list(tenantId: string, options?: { readonly status?: ModuleStatus }): Promise<ModuleRecord[]>
}
