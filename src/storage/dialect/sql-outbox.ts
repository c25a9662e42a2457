import type { Insertable, Kysely, Selectable } from 'kysely'
import type { ClaimOptions, NewOutboxEvent, Outbox, OutboxEvent } from '../ports/outbox.js'
import { DEFAULT_TENANT_ID } from '../ports/tenant.js'
import { atomic } from './atomic.js'
import type { Codec } from './codec.js'
import type { Database, OutboxTable } from './database.js'
import { insertRows } from './query-templates.js'

const DEFAULT_BATCH = 100
const DEFAULT_LEASE_MS = 30_000

/** The columns an enqueued event writes, in the order the append template binds them. */
const outboxColumns = [
  'tenant_id',
  'topic',
  'key',
  'payload',
  'created_at',
  'published_at',
  'lease_until',
] as const

/** {@link Outbox} over the `outbox` table. */
export class SqlOutbox implements Outbox {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: Codec,
  ) {}

  async enqueue(event: NewOutboxEvent): Promise<OutboxEvent> {
    const row = await this.db
      .insertInto('outbox')
      .values(this.#row(event))
      .returningAll()
      .executeTakeFirstOrThrow()
    return this.#event(row)
  }

  async append(events: readonly NewOutboxEvent[]): Promise<void> {
    const rows = events.map((event) => this.#row(event))
    await insertRows(this.db, this.codec.engine, 'outbox', outboxColumns, rows)
  }

  #row(event: NewOutboxEvent): Required<Insertable<OutboxTable>> {
    return {
      tenant_id: event.tenantId ?? DEFAULT_TENANT_ID,
      topic: event.topic,
      key: event.key ?? null,
      payload: this.codec.json(event.payload) ?? 'null',
      created_at: this.codec.time(event.createdAt),
      published_at: null,
      lease_until: null,
      lease_owner: null,
    }
  }

  claimBatch(options: ClaimOptions = {}): Promise<OutboxEvent[]> {
    const now = options.now ?? new Date()
    const nowIso = this.codec.time(now)
    const leaseUntil = this.codec.time(
      new Date(now.getTime() + (options.leaseMs ?? DEFAULT_LEASE_MS)),
    )
    return atomic(this.db, async (db) => {
      let select = db
        .selectFrom('outbox')
        .select('id')
        .where('published_at', 'is', null)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowIso)]))
        .orderBy('id', 'asc')
        .limit(options.limit ?? DEFAULT_BATCH)
      // PostgreSQL runs claims side by side: without SKIP LOCKED every relay
      // would pick the same first rows and all but one come back empty-handed.
      // SQLite serialises writers, so a claim there always sees the last one's.
      if (this.codec.engine === 'postgres') select = select.forUpdate().skipLocked()
      const candidates = await select.execute()
      if (candidates.length === 0) return []
      // Re-checking the condition in the UPDATE keeps two relays from taking the same event.
      const rows = await db
        .updateTable('outbox')
        .set({ lease_until: leaseUntil, lease_owner: options.owner ?? null })
        .where(
          'id',
          'in',
          candidates.map((c) => this.codec.readInt(c.id)),
        )
        .where('published_at', 'is', null)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowIso)]))
        .returningAll()
        .execute()
      return rows.map((row) => this.#event(row)).sort((a, b) => a.id - b.id)
    })
  }

  async markPublished(ids: readonly number[], at?: string): Promise<number> {
    if (ids.length === 0) return 0
    const result = await this.db
      .updateTable('outbox')
      .set({ published_at: this.codec.time(at), lease_until: null, lease_owner: null })
      .where('id', 'in', [...ids])
      .where('published_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  async release(ids: readonly number[], owner: string): Promise<number> {
    if (ids.length === 0) return 0
    const result = await this.db
      .updateTable('outbox')
      .set({ lease_until: null, lease_owner: null })
      .where('id', 'in', [...ids])
      .where('lease_owner', '=', owner)
      .where('published_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  async purgePublished(before: string, limit: number): Promise<number> {
    // A bounded delete by ids: neither engine's DELETE takes a LIMIT portably,
    // and a bounded statement keeps the sweep from holding locks for long.
    const doomed = this.db
      .selectFrom('outbox')
      .select('id')
      .where('published_at', 'is not', null)
      .where('published_at', '<', this.codec.time(before))
      .orderBy('published_at', 'asc')
      .limit(limit)
    const result = await this.db.deleteFrom('outbox').where('id', 'in', doomed).executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  async pendingCount(tenantId?: string): Promise<number> {
    let query = this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number | string>().as('pending'))
      .where('published_at', 'is', null)
    if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId)
    const row = await query.executeTakeFirstOrThrow()
    return Number(row.pending)
  }

  async list(
    afterId: number,
    limit: number,
    topic?: string,
    tenantId?: string,
  ): Promise<OutboxEvent[]> {
    let query = this.db
      .selectFrom('outbox')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id', 'asc')
      .limit(limit)
    if (topic !== undefined) query = query.where('topic', '=', topic)
    if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId)
    const rows = await query.execute()
    return rows.map((row) => this.#event(row))
  }

  #event(row: Selectable<OutboxTable>): OutboxEvent {
    return {
      id: this.codec.readInt(row.id),
      tenantId: row.tenant_id,
      topic: row.topic,
      key: row.key,
      payload: this.codec.readJson(row.payload),
      createdAt: this.codec.readTime(row.created_at),
      publishedAt: this.codec.readTimeOrNull(row.published_at),
    }
  }
}
