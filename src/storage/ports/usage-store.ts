/** One metered execution, a row of `usage_billing`. */
export interface UsageRecord {
  readonly id: number
  readonly tenantId: string
  readonly taskId: string
  readonly provider: string | null
  readonly model: string | null
  readonly module: string | null
  readonly inputTokens: number
  readonly outputTokens: number
  readonly costUsd: number
  readonly durationMs: number
  readonly createdAt: string
}

/** What {@link UsageStore.record} needs. */
export interface NewUsage {
  /** @default 'default' */
  readonly tenantId?: string
  readonly taskId: string
  /** @default null */
  readonly provider?: string | null
  /** @default null */
  readonly model?: string | null
  /** @default null */
  readonly module?: string | null
  readonly inputTokens: number
  readonly outputTokens: number
  readonly costUsd: number
  readonly durationMs: number
  /** ISO-8601; @default now */
  readonly createdAt?: string
}

/** The `usage_billing` table. */
export interface UsageStore {
  record(input: NewUsage): Promise<UsageRecord>
  /** Records many rows in order without reading them back (the hot path: a group commit's rows). */
  recordMany(inputs: readonly NewUsage[]): Promise<void>
  /** Total cost of the tenant's usage, from `since` (inclusive, ISO-8601) when given. */
  sumCost(tenantId: string, since?: string): Promise<number>
  /** Total cost per tenant that has usage from `since` (inclusive, ISO-8601). */
  sumCostByTenant(since: string): Promise<Map<string, number>>
  listByTask(tenantId: string, taskId: string): Promise<UsageRecord[]>
}
