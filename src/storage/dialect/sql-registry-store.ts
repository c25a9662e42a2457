import type { Kysely, Selectable } from 'kysely'
import { RegistryVersionNotFoundError } from '../../core/errors/index.js'
import type {
  NewRegistryVersion,
  RegistrySources,
  RegistryStore,
  RegistryVersion,
  RegistryVersionSummary,
} from '../ports/registry-store.js'
import { DEFAULT_TENANT_ID } from '../ports/tenant.js'
import { atomic } from './atomic.js'
import type { Codec } from './codec.js'
import type { Database, PoliciesTable } from './database.js'

/** {@link RegistryStore} over the `policies` and `policy_heads` tables. */
export class SqlRegistryStore implements RegistryStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: Codec,
  ) {}

  append(
    input: NewRegistryVersion,
  ): Promise<{ version: number; contentHash: string; createdAt: string }> {
    const tenantId = input.tenantId ?? DEFAULT_TENANT_ID
    const createdAt = this.codec.time(input.createdAt)
    return atomic(this.db, async (db) => {
      const version = await nextVersion(db, tenantId)
      await db
        .insertInto('policies')
        .values({
          tenant_id: tenantId,
          version,
          content_hash: input.contentHash,
          sources: this.codec.json(input.sources) ?? '{}',
          created_at: createdAt,
          created_by: input.createdBy,
        })
        .execute()
      return { version, contentHash: input.contentHash, createdAt }
    })
  }

  async get(version: number, tenantId = DEFAULT_TENANT_ID): Promise<RegistryVersion | undefined> {
    const row = await this.db
      .selectFrom('policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('version', '=', version)
      .executeTakeFirst()
    return row && this.#version(row)
  }

  async latest(tenantId = DEFAULT_TENANT_ID): Promise<RegistryVersion | undefined> {
    const row = await this.db
      .selectFrom('policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row && this.#version(row)
  }

  async list(tenantId = DEFAULT_TENANT_ID): Promise<RegistryVersionSummary[]> {
    const rows = await this.db
      .selectFrom('policies')
      .select(['tenant_id', 'version', 'content_hash', 'created_at', 'created_by'])
      .where('tenant_id', '=', tenantId)
      .orderBy('version', 'asc')
      .execute()
    return rows.map((row) => this.#summary(row))
  }

  async setActive(version: number, tenantId = DEFAULT_TENANT_ID): Promise<void> {
    // The head row exists once any version was appended; the version check rides in the same statement.
    const result = await this.db
      .updateTable('policy_heads')
      .set({ active_version: version })
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('policies')
            .select('version')
            .where('policies.tenant_id', '=', tenantId)
            .where('policies.version', '=', version),
        ),
      )
      .executeTakeFirst()
    if (result.numUpdatedRows === 0n) throw new RegistryVersionNotFoundError({ tenantId, version })
  }

  async active(tenantId = DEFAULT_TENANT_ID): Promise<RegistryVersion | undefined> {
    const row = await this.db
      .selectFrom('policy_heads')
      .innerJoin('policies', (join) =>
        join
          .onRef('policies.tenant_id', '=', 'policy_heads.tenant_id')
          .onRef('policies.version', '=', 'policy_heads.active_version'),
      )
      .selectAll('policies')
      .where('policy_heads.tenant_id', '=', tenantId)
      .executeTakeFirst()
    return row && this.#version(row)
  }

  #summary(row: Omit<Selectable<PoliciesTable>, 'sources'>): RegistryVersionSummary {
    return {
      tenantId: row.tenant_id,
      version: row.version,
      contentHash: row.content_hash,
      createdAt: this.codec.readTime(row.created_at),
      createdBy: row.created_by,
    }
  }

  #version(row: Selectable<PoliciesTable>): RegistryVersion {
    return { ...this.#summary(row), sources: this.codec.readJson(row.sources) as RegistrySources }
  }
}

/**
 * Hands out the tenant's next version. The UPDATE takes the head row's lock,
 * so concurrent appends (even in separate PostgreSQL transactions) queue
 * behind each other and each sees the previous one's number.
 */
async function nextVersion(db: Kysely<Database>, tenantId: string): Promise<number> {
  await db
    .insertInto('policy_heads')
    .values({ tenant_id: tenantId, latest_version: 0, active_version: null })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .execute()
  const head = await db
    .updateTable('policy_heads')
    .set((eb) => ({ latest_version: eb('latest_version', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .returning('latest_version')
    .executeTakeFirstOrThrow()
  return head.latest_version
}
