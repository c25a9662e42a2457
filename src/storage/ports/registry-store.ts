/** The registry files of one version, by file name (`intents.yml` → its text). */
export type RegistrySources = Readonly<Record<string, string>>

/** A version as listed (without its sources). */
export interface RegistryVersionSummary {
  readonly tenantId: string
  readonly version: number
  readonly contentHash: string
  readonly createdAt: string
  readonly createdBy: string
}

/** A stored registry version with its sources. */
export interface RegistryVersion extends RegistryVersionSummary {
  readonly sources: RegistrySources
}

/** What {@link RegistryStore.append} needs. */
export interface NewRegistryVersion {
  /** @default 'default' */
  readonly tenantId?: string
  readonly contentHash: string
  readonly sources: RegistrySources
  readonly createdBy: string
  /** ISO-8601; @default now */
  readonly createdAt?: string
}

/** The `policies` table (registry versions) and the active pointer per tenant. */
export interface RegistryStore {
  /** Records a new version: previous max + 1 for the tenant, atomic under concurrency. */
  append(
    input: NewRegistryVersion,
  ): Promise<{ version: number; contentHash: string; createdAt: string }>
  get(version: number, tenantId?: string): Promise<RegistryVersion | undefined>
  /** The highest version, or undefined when none was recorded. */
  latest(tenantId?: string): Promise<RegistryVersion | undefined>
  /** Every version, oldest first. */
  list(tenantId?: string): Promise<RegistryVersionSummary[]>
  /** Makes `version` the active one; throws `RegistryVersionNotFoundError` when it does not exist. */
  setActive(version: number, tenantId?: string): Promise<void>
  /** The active version, or undefined before any `setActive`. */
  active(tenantId?: string): Promise<RegistryVersion | undefined>
}
