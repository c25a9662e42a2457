/** A model a provider serves, its tier and prices (zero for local models). */
export interface ModelRecord {
  readonly tenantId: string
  readonly provider: string
  readonly name: string
  readonly tier: string
  readonly inputPricePer1kUsd: number
  readonly outputPricePer1kUsd: number
  readonly updatedAt: string
}

/** What {@link ModelStore.upsert} needs. */
export interface ModelInput {
  /** @default 'default' */
  readonly tenantId?: string
  readonly provider: string
  readonly name: string
  readonly tier: string
  readonly inputPricePer1kUsd: number
  readonly outputPricePer1kUsd: number
  /** ISO-8601; @default now */
  readonly at?: string
}

/** The `models` table. */
export interface ModelStore {
  /** Inserts or replaces by `(tenantId, provider, name)`. */
  upsert(input: ModelInput): Promise<ModelRecord>
  get(tenantId: string, provider: string, name: string): Promise<ModelRecord | undefined>
  /** By provider then name. */
  list(tenantId: string): Promise<ModelRecord[]>
}
