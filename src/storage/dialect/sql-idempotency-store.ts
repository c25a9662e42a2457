import type { ExpressionBuilder, Kysely, Selectable } from 'kysely'
import type {
  IdempotencyBegin,
  IdempotencyBeginInput,
  IdempotencyKeyRef,
  IdempotencyRecord,
  IdempotencyStore,
} from '../ports/idempotency-store.js'
import type { JsonValue } from '../../core/domain/index.js'
import { DEFAULT_TENANT_ID } from '../ports/tenant.js'
import { atomic } from './atomic.js'
import type { Codec } from './codec.js'
import type { Database, IdempotencyKeysTable } from './database.js'

/** {@link IdempotencyStore} over the `idempotency_keys` table. */
export class SqlIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: Codec,
  ) {}

  begin(input: IdempotencyBeginInput): Promise<IdempotencyBegin> {
    const tenantId = input.tenantId ?? DEFAULT_TENANT_ID
    const now = input.now ?? new Date()
    const nowIso = this.codec.time(now)
    return atomic(this.db, async (db) => {
      await db
        .deleteFrom('idempotency_keys')
        .where(matching(input))
        .where('expires_at', '<=', nowIso)
        .execute()
      // ON CONFLICT DO NOTHING waits for a concurrent claimant to commit, so exactly one caller starts.
      const inserted = await db
        .insertInto('idempotency_keys')
        .values({
          tenant_id: tenantId,
          credential: input.credential,
          key: input.key,
          request_hash: input.requestHash,
          state: 'in_progress',
          response: null,
          created_at: nowIso,
          expires_at: this.codec.time(new Date(now.getTime() + input.ttlMs)),
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'credential', 'key']).doNothing())
        .returningAll()
        .executeTakeFirst()
      if (inserted) return { outcome: 'started', record: this.#record(inserted) }
      const existing = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where(matching(input))
        .executeTakeFirstOrThrow()
      const record = this.#record(existing)
      return record.requestHash === input.requestHash
        ? { outcome: 'replay', record }
        : { outcome: 'mismatch', record }
    })
  }

  async complete(ref: IdempotencyKeyRef, response: JsonValue): Promise<boolean> {
    const result = await this.db
      .updateTable('idempotency_keys')
      .where(matching(ref))
      .set({ state: 'completed', response: this.codec.json(response) ?? 'null' })
      .where('state', '=', 'in_progress')
      .executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  async release(ref: IdempotencyKeyRef): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where(matching(ref))
      .where('state', '=', 'in_progress')
      .execute()
  }

  async get(ref: IdempotencyKeyRef, now = new Date()): Promise<IdempotencyRecord | undefined> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where(matching(ref))
      .where('expires_at', '>', this.codec.time(now))
      .executeTakeFirst()
    return row && this.#record(row)
  }

  async purgeExpired(now = new Date()): Promise<number> {
    const result = await this.db
      .deleteFrom('idempotency_keys')
      .where('expires_at', '<=', this.codec.time(now))
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  #record(row: Selectable<IdempotencyKeysTable>): IdempotencyRecord {
    return {
      tenantId: row.tenant_id,
      credential: row.credential,
      key: row.key,
      requestHash: row.request_hash,
      state: row.state as IdempotencyRecord['state'],
      response: this.codec.readJson(row.response),
      createdAt: this.codec.readTime(row.created_at),
      expiresAt: this.codec.readTime(row.expires_at),
    }
  }
}

/** The condition selecting one record. */
function matching(ref: IdempotencyKeyRef) {
  return (eb: ExpressionBuilder<Database, 'idempotency_keys'>) =>
    eb.and({
      tenant_id: ref.tenantId ?? DEFAULT_TENANT_ID,
      credential: ref.credential,
      key: ref.key,
    })
}
