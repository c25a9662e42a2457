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
    const owner = input.owner ?? 'unknown'
    const lockUntil = this.codec.time(new Date(now.getTime() + (input.lockMs ?? input.ttlMs)))
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
          lock_owner: owner,
          lock_expires_at: lockUntil,
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
      if (record.requestHash !== input.requestHash) return { outcome: 'mismatch', record }
      if (record.state !== 'in_progress' || !lapsed(record, now))
        return { outcome: 'replay', record }
      // The lock lapsed: its request's process is gone. One caller takes it over.
      const taken = await db
        .updateTable('idempotency_keys')
        .set({ lock_owner: owner, lock_expires_at: lockUntil })
        .where(matching(input))
        .where('state', '=', 'in_progress')
        .where((eb) =>
          record.lockExpiresAt === null
            ? eb('lock_expires_at', 'is', null)
            : eb('lock_expires_at', '=', this.codec.time(record.lockExpiresAt)),
        )
        .returningAll()
        .executeTakeFirst()
      return taken
        ? { outcome: 'resumed', record: this.#record(taken) }
        : { outcome: 'replay', record }
    })
  }

  async bind(ref: IdempotencyKeyRef, taskId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('idempotency_keys')
      .where(matching(ref))
      .set({ task_id: taskId })
      .where('state', '=', 'in_progress')
      .executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  async expireLocks(exceptOwner: string, now = new Date()): Promise<number> {
    const result = await this.db
      .updateTable('idempotency_keys')
      .set({ lock_expires_at: this.codec.time(now) })
      .where('state', '=', 'in_progress')
      .where((eb) => eb.or([eb('lock_owner', 'is', null), eb('lock_owner', '<>', exceptOwner)]))
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  async complete(ref: IdempotencyKeyRef, response: JsonValue): Promise<boolean> {
    const result = await this.db
      .updateTable('idempotency_keys')
      .where(matching(ref))
      .set({
        state: 'completed',
        response: this.codec.json(response) ?? 'null',
        lock_owner: null,
        lock_expires_at: null,
      })
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
      taskId: row.task_id,
      lockOwner: row.lock_owner,
      lockExpiresAt: row.lock_expires_at === null ? null : this.codec.readTime(row.lock_expires_at),
    }
  }
}

/** True when the record's lock no longer holds at `now` (a record from before locks has none). */
function lapsed(record: IdempotencyRecord, now: Date): boolean {
  return record.lockExpiresAt === null || Date.parse(record.lockExpiresAt) <= now.getTime()
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
