import type { JsonValue } from '../../core/domain/index.js'

/** One event waiting in (or published from) the outbox. */
export interface OutboxEvent {
  /** Monotonic: publish in this order. */
  readonly id: number
  readonly tenantId: string
  readonly topic: string
  /** Partition key (e.g. the task id), or null. */
  readonly key: string | null
  readonly payload: JsonValue
  readonly createdAt: string
  readonly publishedAt: string | null
}

/** What {@link Outbox.enqueue} needs. */
export interface NewOutboxEvent {
  /** @default 'default' */
  readonly tenantId?: string
  readonly topic: string
  /** @default null */
  readonly key?: string | null
  readonly payload: JsonValue
  /** ISO-8601; @default now */
  readonly createdAt?: string
}

/** Options of {@link Outbox.claimBatch}. */
export interface ClaimOptions {
  /** @default 100 */
  readonly limit?: number
  /** How long the claim holds before another relay may claim the same events. @default 30000 */
  readonly leaseMs?: number
  /** @default new Date() */
  readonly now?: Date
  /**
   * Who holds the claim (a relay's id): {@link Outbox.release} gives back
   * only the holder's events. @default null (no holder recorded)
   */
  readonly owner?: string
}

/**
 * The transactional outbox: enqueue inside the transaction that changes
 * state (`store.transaction(tx => …tx.outbox.enqueue(…))`); a relay claims,
 * publishes and marks events.
 */
export interface Outbox {
  enqueue(event: NewOutboxEvent): Promise<OutboxEvent>
  /**
   * Enqueues many events in order, in as few statements as the engine allows,
   * without reading them back (the hot path: a group commit's events).
   */
  append(events: readonly NewOutboxEvent[]): Promise<void>
  /** Unpublished, unclaimed (or lease-expired) events in id order, leased to the caller. */
  claimBatch(options?: ClaimOptions): Promise<OutboxEvent[]>
  /** Marks events published; returns how many changed. */
  markPublished(ids: readonly number[], at?: string): Promise<number>
  /**
   * Gives back events `owner` claimed and did not publish (a failed publish),
   * so the next claim takes them without waiting for the lease; events since
   * claimed by another owner or published are left alone. Returns how many.
   */
  release(ids: readonly number[], owner: string): Promise<number>
  /**
   * Deletes events published before `before` (ISO-8601), at most `limit`
   * (oldest first); unpublished events are never deleted. Returns how many.
   */
  purgePublished(before: string, limit: number): Promise<number>
  /** Unpublished events, of one tenant when given. */
  pendingCount(tenantId?: string): Promise<number>
  /**
   * Events with an id greater than `afterId`, oldest first, at most `limit`,
   * of one topic and of one tenant when given; published or not (a read of
   * the embedded log).
   */
  list(afterId: number, limit: number, topic?: string, tenantId?: string): Promise<OutboxEvent[]>
}
