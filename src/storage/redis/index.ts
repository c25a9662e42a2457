/**
 * Redis behind the gateway's state ports: token buckets and
 * `Idempotency-Key`s shared by every gateway. The only folder that imports
 * ioredis.
 */
export {
  closeRedis,
  connectRedis,
  waitUntilReady,
  type RedisConnectionOptions,
} from './redis-connection.js'
export { RedisIdempotencyCache } from './redis-idempotency-cache.js'
export { RedisKeys, type RedisKeyArea } from './redis-keys.js'
export { RedisRateLimiter } from './redis-rate-limiter.js'
export type { Redis } from 'ioredis'
