import type { Kysely, Selectable } from 'kysely'
import type { ApiKeyRecord, ApiKeyStore, NewApiKey } from '../ports/api-key-store.js'
import { DEFAULT_TENANT_ID } from '../ports/tenant.js'
import type { ApiKeyCache } from './api-key-cache.js'
import type { Codec } from './codec.js'
import type { ApiKeysTable, Database } from './database.js'

/**
 * {@link ApiKeyStore} over the `api_keys` table. With a `cache` (SQLite),
 * `findById` answers from memory while the database is unchanged, and every
 * write here clears it; bound to a transaction, `cache` is the store's, so a
 * write in a transaction clears it too and `findById` reads through.
 */
export class SqlApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: Codec,
    private readonly cache?: ApiKeyCache,
    private readonly readThrough = false,
  ) {}

  async create(input: NewApiKey): Promise<ApiKeyRecord> {
    this.cache?.clear()
    const row = await this.db
      .insertInto('api_keys')
      .values({
        tenant_id: input.tenantId ?? DEFAULT_TENANT_ID,
        key_id: input.keyId,
        secret_hash: input.secretHash,
        name: input.name,
        scopes: this.codec.json(input.scopes) ?? '[]',
        created_at: this.codec.time(input.createdAt),
        revoked_at: null,
        last_used_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return this.#record(row)
  }

  findById(keyId: string): Promise<ApiKeyRecord | undefined> {
    if (this.cache === undefined || this.readThrough) return this.#find(keyId)
    return this.cache.find(keyId, () => this.#find(keyId))
  }

  async #find(keyId: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_id', '=', keyId)
      .executeTakeFirst()
    return row && this.#record(row)
  }

  async list(tenantId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'asc')
      .orderBy('key_id', 'asc')
      .execute()
    return rows.map((row) => this.#record(row))
  }

  async revoke(tenantId: string, keyId: string, at?: string): Promise<boolean> {
    this.cache?.clear()
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: this.codec.time(at) })
      .where('tenant_id', '=', tenantId)
      .where('key_id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  async touch(keyId: string, at?: string): Promise<void> {
    this.cache?.clear()
    await this.db
      .updateTable('api_keys')
      .set({ last_used_at: this.codec.time(at) })
      .where('key_id', '=', keyId)
      .execute()
  }

  #record(row: Selectable<ApiKeysTable>): ApiKeyRecord {
    const c = this.codec
    return {
      tenantId: row.tenant_id,
      keyId: row.key_id,
      secretHash: row.secret_hash,
      name: row.name,
      scopes: c.readJson(row.scopes) as string[],
      createdAt: c.readTime(row.created_at),
      revokedAt: c.readTimeOrNull(row.revoked_at),
      lastUsedAt: c.readTimeOrNull(row.last_used_at),
    }
  }
}
