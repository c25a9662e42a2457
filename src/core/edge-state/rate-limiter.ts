/**
 * The rate limiter port: token buckets by key. The gateway's in-process
 * `MemoryRateLimiter` backs it by default; `RedisRateLimiter` backs it for
 * several gateways. It sits in core because adapters below the gateway
 * implement it.
 */

/** One token bucket's shape: it refills `perMinute` tokens a minute and holds at most `burst`. */
export interface RateLimitRule {
  readonly perMinute: number
  readonly burst: number
}

/** The outcome of taking one token. */
export interface RateLimitDecision {
  readonly allowed: boolean
  /** The bucket's capacity (`burst`). */
  readonly limit: number
  /** Whole tokens left after this request. */
  readonly remaining: number
  /** Until one token is available again; 0 when allowed. */
  readonly retryAfterMs: number
  /**
   * Until the next whole token is back (`remaining` grows by one); 0 when the
   * bucket is full. A bucket refills one token at a time, so this is when
   * the quota next grows: on a refusal it equals `retryAfterMs`.
   */
  readonly resetMs: number
}

/** Token buckets by key. */
export interface RateLimiter {
  /**
   * Takes one token from the bucket `key` (created full under `rule` when
   * absent). `tenantId` says whose namespace a shared engine keeps the
   * bucket in (undefined: limits that apply before a tenant is known, such
   * as per client IP); a caller passes the same one with a given key every
   * time, and puts the tenant in the key itself where the limit is per
   * tenant, so that limiters which ignore it (in process) decide alike.
   */
  consume(key: string, rule: RateLimitRule, tenantId?: string): Promise<RateLimitDecision>
}
