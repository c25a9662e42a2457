/**
 * Ports of the state the gateway keeps between requests — token buckets and
 * `Idempotency-Key`s — which several gateway processes must share. In core
 * so that the gateway's in-process adapters and the Redis adapters in
 * storage implement the same interfaces.
 */
export type { RateLimitDecision, RateLimiter, RateLimitRule } from './rate-limiter.js'
export type {
  IdempotencyCache,
  IdempotencyCacheBegin,
  IdempotencyCacheBeginInput,
  IdempotencyCacheRecord,
  IdempotencyCacheRef,
} from './idempotency-cache.js'
