/**
 * The in-process {@link RateLimiter}: one token bucket per key in a Map kept
 * in least-recently-used order. Memory is bounded: past `maxBuckets` the
 * least recently used bucket goes, and a sweep drops buckets that have
 * refilled (a full bucket behaves exactly like an absent one).
 */
import type { RateLimitDecision, RateLimiter, RateLimitRule } from '../../core/edge-state/index.js'

/** Options of {@link MemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /**
   * Most buckets held; past it the least recently used one is dropped.
   * @default 100000
   */
  readonly maxBuckets?: number
  /**
   * How often refilled (idle) buckets are swept; 0 turns the timer off.
   * @default 60000
   */
  readonly sweepIntervalMs?: number
  /** Clock in milliseconds, for tests. @default performance.now */
  readonly nowMs?: () => number
}

interface Bucket {
  tokens: number
  atMs: number
  ratePerMs: number
  burst: number
}

/** Token buckets in this process's memory. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>()
  readonly #maxBuckets: number
  readonly #nowMs: () => number
  readonly #timer: NodeJS.Timeout | undefined

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.#maxBuckets = options.maxBuckets ?? 100_000
    this.#nowMs = options.nowMs ?? (() => performance.now())
    const sweepMs = options.sweepIntervalMs ?? 60_000
    this.#timer = sweepMs > 0 ? setInterval(() => this.sweep(), sweepMs).unref() : undefined
  }

  /** How many buckets are held. */
  get size(): number {
    return this.#buckets.size
  }

  consume(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    return Promise.resolve(this.consumeNow(key, rule))
  }

  /** {@link consume} without the promise, for in-process callers. */
  consumeNow(key: string, rule: RateLimitRule): RateLimitDecision {
    const now = this.#nowMs()
    const ratePerMs = rule.perMinute / 60_000
    let bucket = this.#buckets.get(key)
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxBuckets) this.#evictOldest()
      bucket = { tokens: rule.burst, atMs: now, ratePerMs, burst: rule.burst }
    } else {
      // Re-inserting keeps the Map in least-recently-used order.
      this.#buckets.delete(key)
      // Rules are reloadable: refill at the old rate, then clamp to the new burst.
      bucket.tokens = Math.min(rule.burst, bucket.tokens + (now - bucket.atMs) * bucket.ratePerMs)
      bucket.atMs = now
      bucket.ratePerMs = ratePerMs
      bucket.burst = rule.burst
    }
    this.#buckets.set(key, bucket)
    const allowed = bucket.tokens >= 1
    if (allowed) bucket.tokens -= 1
    const remaining = Math.floor(bucket.tokens)
    const nextTokenMs =
      bucket.tokens >= rule.burst ? 0 : Math.ceil((remaining + 1 - bucket.tokens) / ratePerMs)
    return {
      allowed,
      limit: rule.burst,
      remaining,
      retryAfterMs: allowed ? 0 : nextTokenMs,
      resetMs: nextTokenMs,
    }
  }

  /** Drops every bucket that has refilled by now; returns how many. */
  sweep(): number {
    const now = this.#nowMs()
    let dropped = 0
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.atMs) * bucket.ratePerMs >= bucket.burst) {
        this.#buckets.delete(key)
        dropped++
      }
    }
    return dropped
  }

  /** Stops the sweep timer. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer)
  }

  #evictOldest(): void {
    const oldest = this.#buckets.keys().next()
    if (oldest.done !== true) this.#buckets.delete(oldest.value)
  }
}
