import type { AuditOutcome, JsonValue } from '../../core/domain/index.js'

/** One row of `audit_activity`. */
export interface AuditRecord {
  readonly id: number
  readonly tenantId: string
  readonly actor: string
  readonly action: string
  readonly target: string
  readonly outcome: AuditOutcome
  readonly details: JsonValue | null
  readonly at: string
}

/** What {@link AuditStore.append} needs. */
export interface NewAuditRecord {
  /** @default 'default' */
  readonly tenantId?: string
  readonly actor: string
  readonly action: string
  readonly target: string
  readonly outcome: AuditOutcome
  /** @default null */
  readonly details?: JsonValue | null
  /** ISO-8601; @default now */
  readonly at?: string
}

/** Options of {@link AuditStore.list}. */
export interface AuditListOptions {
  readonly action?: string
  /** Only records with a greater id (a cursor). */
  readonly afterId?: number
  /** @default 100 */
  readonly limit?: number
}

/** The `audit_activity` table: append-only. */
export interface AuditStore {
  append(input: NewAuditRecord): Promise<AuditRecord>
  /** Appends many entries in order without reading them back (the hot path: a group commit's entries). */
  appendMany(inputs: readonly NewAuditRecord[]): Promise<void>
  /** Records in the order they were appended. */
  list(tenantId: string, options?: AuditListOptions): Promise<AuditRecord[]>
}
