import type { Kysely, Selectable } from 'kysely'
import type {
  ModuleInput,
  ModuleRecord,
  ModuleRuntime,
  ModuleStatus,
  ModuleStore,
} from '../ports/module-store.js'
import { DEFAULT_TENANT_ID } from '../ports/tenant.js'
import type { Codec } from './codec.js'
import type { Database, ModulesTable } from './database.js'

/** {@link ModuleStore} over the `modules` table. */
export class SqlModuleStore implements ModuleStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: Codec,
  ) {}

  async upsert(input: ModuleInput): Promise<ModuleRecord> {
    const at = this.codec.time(input.at)
    const changes = {
      digest: input.digest,
      runtime: input.runtime,
      signer_key_id: input.signerKeyId ?? null,
      sbom_ref: input.sbomRef ?? null,
      status: input.status,
      reason: input.reason ?? null,
      manifest: this.codec.json(input.manifest),
      updated_at: at,
    }
    const row = await this.db
      .insertInto('modules')
      .values({
        tenant_id: input.tenantId ?? DEFAULT_TENANT_ID,
        name: input.name,
        version: input.version,
        created_at: at,
        ...changes,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'name', 'version']).doUpdateSet(changes))
      .returningAll()
      .executeTakeFirstOrThrow()
    return this.#record(row)
  }

  async get(tenantId: string, name: string, version: string): Promise<ModuleRecord | undefined> {
    const row = await this.db
      .selectFrom('modules')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst()
    return row && this.#record(row)
  }

  async list(
    tenantId: string,
    options: { readonly status?: ModuleStatus } = {},
  ): Promise<ModuleRecord[]> {
    let query = this.db
      .selectFrom('modules')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name', 'asc')
      .orderBy('version', 'asc')
    if (options.status !== undefined) query = query.where('status', '=', options.status)
    const rows = await query.execute()
    return rows.map((row) => this.#record(row))
  }

  #record(row: Selectable<ModulesTable>): ModuleRecord {
    return {
      tenantId: row.tenant_id,
      name: row.name,
      version: row.version,
      digest: row.digest,
      runtime: row.runtime as ModuleRuntime,
      signerKeyId: row.signer_key_id,
      sbomRef: row.sbom_ref,
      status: row.status as ModuleStatus,
      reason: row.reason,
      manifest: this.codec.readJson(row.manifest),
      createdAt: this.codec.readTime(row.created_at),
      updatedAt: this.codec.readTime(row.updated_at),
    }
  }
}
