import type { Kysely, Selectable } from 'kysely'
import type { ModelInput, ModelRecord, ModelStore } from '../ports/model-store.js'
import { DEFAULT_TENANT_ID } from '../ports/tenant.js'
import type { Codec } from './codec.js'
import type { Database, ModelsTable } from './database.js'

/** {@link ModelStore} over the `models` table. */
export class SqlModelStore implements ModelStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: Codec,
  ) {}

  async upsert(input: ModelInput): Promise<ModelRecord> {
    const changes = {
      tier: input.tier,
      input_price_per_1k_usd: input.inputPricePer1kUsd,
      output_price_per_1k_usd: input.outputPricePer1kUsd,
      updated_at: this.codec.time(input.at),
    }
    const row = await this.db
      .insertInto('models')
      .values({
        tenant_id: input.tenantId ?? DEFAULT_TENANT_ID,
        provider: input.provider,
        name: input.name,
        ...changes,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'provider', 'name']).doUpdateSet(changes))
      .returningAll()
      .executeTakeFirstOrThrow()
    return this.#record(row)
  }

  async get(tenantId: string, provider: string, name: string): Promise<ModelRecord | undefined> {
    const row = await this.db
      .selectFrom('models')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('provider', '=', provider)
      .where('name', '=', name)
      .executeTakeFirst()
    return row && this.#record(row)
  }

  async list(tenantId: string): Promise<ModelRecord[]> {
    const rows = await this.db
      .selectFrom('models')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('provider', 'asc')
      .orderBy('name', 'asc')
      .execute()
    return rows.map((row) => this.#record(row))
  }

  #record(row: Selectable<ModelsTable>): ModelRecord {
    return {
      tenantId: row.tenant_id,
      provider: row.provider,
      name: row.name,
      tier: row.tier,
      inputPricePer1kUsd: row.input_price_per_1k_usd,
      outputPricePer1kUsd: row.output_price_per_1k_usd,
      updatedAt: this.codec.readTime(row.updated_at),
    }
  }
}
