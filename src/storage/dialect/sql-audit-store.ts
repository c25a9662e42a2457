import type { Insertable, Kysely, Selectable } from 'kysely'
import type { AuditOutcome } from '../../core/domain/index.js'
import type {
  AuditListOptions,
  AuditRecord,
  AuditStore,
  NewAuditRecord,
} from '../ports/audit-store.js'
import { DEFAULT_TENANT_ID } from '../ports/tenant.js'
import type { Codec } from './codec.js'
import type { AuditActivityTable, Database } from './database.js'
import { insertRows } from './query-templates.js'

/** The columns an audit entry writes, in the order the insert template binds them. */
const auditColumns = ['tenant_id', 'actor', 'action', 'target', 'outcome', 'details', 'at'] as const

const DEFAULT_LIMIT = 100

/** {@link AuditStore} over the `audit_activity` table. */
export class SqlAuditStore implements AuditStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: Codec,
  ) {}

  async append(input: NewAuditRecord): Promise<AuditRecord> {
    const row = await this.db
      .insertInto('audit_activity')
      .values(this.#row(input))
      .returningAll()
      .executeTakeFirstOrThrow()
    return this.#record(row)
  }

  async appendMany(inputs: readonly NewAuditRecord[]): Promise<void> {
    const rows = inputs.map((input) => this.#row(input))
    await insertRows(this.db, this.codec.engine, 'audit_activity', auditColumns, rows)
  }

  #row(input: NewAuditRecord): Required<Insertable<AuditActivityTable>> {
    return {
      tenant_id: input.tenantId ?? DEFAULT_TENANT_ID,
      actor: input.actor,
      action: input.action,
      target: input.target,
      outcome: input.outcome,
      details: this.codec.json(input.details),
      at: this.codec.time(input.at),
    }
  }

  async list(tenantId: string, options: AuditListOptions = {}): Promise<AuditRecord[]> {
    let query = this.db
      .selectFrom('audit_activity')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id', 'asc')
      .limit(options.limit ?? DEFAULT_LIMIT)
    if (options.action !== undefined) query = query.where('action', '=', options.action)
    if (options.afterId !== undefined) query = query.where('id', '>', options.afterId)
    const rows = await query.execute()
    return rows.map((row) => this.#record(row))
  }

  #record(row: Selectable<AuditActivityTable>): AuditRecord {
    return {
      id: this.codec.readInt(row.id),
      tenantId: row.tenant_id,
      actor: row.actor,
      action: row.action,
      target: row.target,
      outcome: row.outcome as AuditOutcome,
      details: this.codec.readJson(row.details),
      at: this.codec.readTime(row.at),
    }
  }
}
