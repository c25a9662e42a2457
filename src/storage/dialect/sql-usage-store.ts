import type { Insertable, Kysely, Selectable } from 'kysely'
import { DEFAULT_TENANT_ID } from '../ports/tenant.js'
import type { NewUsage, UsageRecord, UsageStore } from '../ports/usage-store.js'
import type { Codec } from './codec.js'
import type { Database, UsageBillingTable } from './database.js'
import { insertRows } from './query-templates.js'

/** The columns a usage row writes, in the order the insert template binds them. */
const usageColumns = [
  'tenant_id',
  'task_id',
  'provider',
  'model',
  'module',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'duration_ms',
  'created_at',
] as const

/** {@link UsageStore} over the `usage_billing` table. */
export class SqlUsageStore implements UsageStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: Codec,
  ) {}

  async record(input: NewUsage): Promise<UsageRecord> {
    const row = await this.db
      .insertInto('usage_billing')
      .values(this.#row(input))
      .returningAll()
      .executeTakeFirstOrThrow()
    return this.#record(row)
  }

  async recordMany(inputs: readonly NewUsage[]): Promise<void> {
    const rows = inputs.map((input) => this.#row(input))
    await insertRows(this.db, this.codec.engine, 'usage_billing', usageColumns, rows)
  }

  #row(input: NewUsage): Required<Insertable<UsageBillingTable>> {
    return {
      tenant_id: input.tenantId ?? DEFAULT_TENANT_ID,
      task_id: input.taskId,
      provider: input.provider ?? null,
      model: input.model ?? null,
      module: input.module ?? null,
      input_tokens: input.inputTokens,
      output_tokens: input.outputTokens,
      cost_usd: input.costUsd,
      duration_ms: input.durationMs,
      created_at: this.codec.time(input.createdAt),
    }
  }

  async sumCost(tenantId: string, since?: string): Promise<number> {
    let query = this.db
      .selectFrom('usage_billing')
      .select((eb) => eb.fn.sum<number | string | null>('cost_usd').as('total'))
      .where('tenant_id', '=', tenantId)
    if (since !== undefined) query = query.where('created_at', '>=', this.codec.time(since))
    const row = await query.executeTakeFirst()
    return row?.total == null ? 0 : Number(row.total)
  }

  async sumCostByTenant(since: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('usage_billing')
      .select((eb) => ['tenant_id', eb.fn.sum<number | string | null>('cost_usd').as('total')])
      .where('created_at', '>=', this.codec.time(since))
      .groupBy('tenant_id')
      .execute()
    return new Map(rows.map((row) => [row.tenant_id, row.total == null ? 0 : Number(row.total)]))
  }

  async listByTask(tenantId: string, taskId: string): Promise<UsageRecord[]> {
    const rows = await this.db
      .selectFrom('usage_billing')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('task_id', '=', taskId)
      .orderBy('id', 'asc')
      .execute()
    return rows.map((row) => this.#record(row))
  }

  #record(row: Selectable<UsageBillingTable>): UsageRecord {
    return {
      id: this.codec.readInt(row.id),
      tenantId: row.tenant_id,
      taskId: row.task_id,
      provider: row.provider,
      model: row.model,
      module: row.module,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      costUsd: row.cost_usd,
      durationMs: row.duration_ms,
      createdAt: this.codec.readTime(row.created_at),
    }
  }
}
