/**
 * What the gateway needs to remember `Idempotency-Key`s. The embedded store's
 * `IdempotencyStore` serves it structurally (the server passes
 * `store.idempotency`); `RedisIdempotencyCache` serves it for several
 * gateways. It sits in core because adapters below the gateway implement it.
 */
import type { JsonValue } from '../domain/index.js'

/** Identifies one key: scoped per tenant and credential. */
export interface IdempotencyCacheRef {
  readonly tenantId: string
  readonly credential: string
  readonly key: string
}

/** What {@link IdempotencyCache.begin} needs. */
export interface IdempotencyCacheBeginInput extends IdempotencyCacheRef {
  /** Fingerprint of the request body, to detect a key reused with another body. */
  readonly requestHash: string
  /** How long the key is kept. */
  readonly ttlMs: number
  /** Who takes the in-progress lock (a process instance). */
  readonly owner: string
  /** How long the in-progress lock holds unless the request completes first. */
  readonly lockMs: number
  /**
   * The caller's clock. A shared cache may use its own instead (Redis
   * `TIME`), so that clock skew between processes cannot shorten a lease.
   */
  readonly now: Date
}

/** A key as remembered: running, or done with its stored response. */
export interface IdempotencyCacheRecord {
  readonly requestHash: string
  readonly state: 'in_progress' | 'completed'
  readonly response: JsonValue | null
  /** The task the request created, once bound. */
  readonly taskId: string | null
}

/**
 * `started`: the caller owns the key; `replay`: same body seen before;
 * `mismatch`: another body; `resumed`: the same body was in progress under a
 * lock that lapsed (its process died), and the caller now holds the lock.
 */
export type IdempotencyCacheBegin =
  | { readonly outcome: 'started'; readonly record: IdempotencyCacheRecord }
  | { readonly outcome: 'resumed'; readonly record: IdempotencyCacheRecord }
  | { readonly outcome: 'replay'; readonly record: IdempotencyCacheRecord }
  | { readonly outcome: 'mismatch'; readonly record: IdempotencyCacheRecord }

/** Remembers keys atomically: of concurrent `begin`s for one key exactly one is `started`. */
export interface IdempotencyCache {
  /** Claims the key atomically; an expired record is replaced. */
  begin(input: IdempotencyCacheBeginInput): Promise<IdempotencyCacheBegin>
  /** Stores the response of a started key; false when it was not in progress. */
  complete(ref: IdempotencyCacheRef, response: JsonValue): Promise<boolean>
  /** Forgets an in-progress key (the request failed before creating anything). */
  release(ref: IdempotencyCacheRef): Promise<void>
  /** Records the task an in-progress request created (so a retry after a crash can find it). */
  bind(ref: IdempotencyCacheRef, taskId: string): Promise<boolean>
}
