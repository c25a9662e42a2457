import type { JsonValue } from '../../core/domain/index.js'

/** A request under an `Idempotency-Key`: running, or done with its cached response. */
export interface IdempotencyRecord {
  readonly tenantId: string
  /** Who sent it (an API key id): keys are scoped per credential. */
  readonly credential: string
  readonly key: string
  /** Hash of the request, to detect a key reused with another body. */
  readonly requestHash: string
  readonly state: 'in_progress' | 'completed'
  readonly response: JsonValue | null
  readonly createdAt: string
  readonly expiresAt: string
  /** The task the request created, once known (see {@link IdempotencyStore.bind}). */
  readonly taskId: string | null
  /** Who holds the in-progress lock, and until when (ISO-8601); null once completed. */
  readonly lockOwner: string | null
  readonly lockExpiresAt: string | null
}

/** Identifies one idempotency record. */
export interface IdempotencyKeyRef {
  /** @default 'default' */
  readonly tenantId?: string
  readonly credential: string
  readonly key: string
}

/** What {@link IdempotencyStore.begin} needs. */
export interface IdempotencyBeginInput extends IdempotencyKeyRef {
  readonly requestHash: string
  readonly ttlMs: number
  /** Who takes the in-progress lock. @default 'unknown' */
  readonly owner?: string
  /** How long the lock holds unless the request completes first. @default ttlMs */
  readonly lockMs?: number
  /** @default new Date() */
  readonly now?: Date
}

/**
 * The outcome of {@link IdempotencyStore.begin}: `started` — the caller owns
 * the key and must `complete` (or `release`) it; `replay` — the same request
 * is running or done (see `record.state`); `mismatch` — the key was used with
 * another request body; `resumed` — the same request was in progress under a
 * lock that lapsed (its process died): the caller now holds the lock, and
 * `record.taskId` says whether that request had created its task.
 */
export type IdempotencyBegin =
  | { readonly outcome: 'started'; readonly record: IdempotencyRecord }
  | { readonly outcome: 'resumed'; readonly record: IdempotencyRecord }
  | { readonly outcome: 'replay'; readonly record: IdempotencyRecord }
  | { readonly outcome: 'mismatch'; readonly record: IdempotencyRecord }

/** The `idempotency_keys` table (the embedded idempotency cache). */
export interface IdempotencyStore {
  /** Claims the key atomically; an expired record is replaced. */
  begin(input: IdempotencyBeginInput): Promise<IdempotencyBegin>
  /** Stores the response; false when the key is not in progress. */
  complete(ref: IdempotencyKeyRef, response: JsonValue): Promise<boolean>
  /** Drops an in-progress key (the request failed before a cacheable answer). */
  release(ref: IdempotencyKeyRef): Promise<void>
  /** Records the task an in-progress request created; false when the key is not in progress. */
  bind(ref: IdempotencyKeyRef, taskId: string): Promise<boolean>
  /**
   * Lets lapse, at `now`, every in-progress lock that `exceptOwner` does not
   * hold (a restart: their processes are gone); returns how many.
   */
  expireLocks(exceptOwner: string, now?: Date): Promise<number>
  /** The unexpired record at `now`, or undefined. */
  get(ref: IdempotencyKeyRef, now?: Date): Promise<IdempotencyRecord | undefined>
  /** Deletes records expired at `now`; returns how many. */
  purgeExpired(now?: Date): Promise<number>
}
