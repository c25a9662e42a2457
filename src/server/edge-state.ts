/**
 * Where the gateway keeps its state between requests, from the settings:
 * with `AION_REDIS_URL` unset, token buckets in this process and
 * `Idempotency-Key`s in the store (today's embedded default, unchanged);
 * with it set, both in Redis, shared by every gateway, over one client per
 * process, the rate limits with the fail mode `AION_REDIS_FAIL_MODE` says.
 */
import type { Logger } from 'pino'
import type { IdempotencyCache, RateLimiter } from '../core/edge-state/index.js'
import type { Settings } from '../core/settings/index.js'
import type { CounterReading } from '../gateway/metrics-route.js'
import { FailSafeRateLimiter, MemoryRateLimiter } from '../gateway/rate-limit/index.js'
import type { Store } from '../storage/index.js'
import {
  closeRedis,
  connectRedis,
  RedisIdempotencyCache,
  RedisKeys,
  RedisRateLimiter,
  waitUntilReady,
} from '../storage/redis/index.js'

/** The gateway's state ports, and how to let them go. */
export interface EdgeState {
  readonly rateLimiter: RateLimiter
  readonly idempotencyCache: IdempotencyCache
  /** Served on `/metrics`. */
  readonly counters: readonly CounterReading[]
  close(): Promise<void>
}

/** How long the start waits for Redis before it goes on without it (the client keeps trying). */
const redisStartWaitMs = 3000

/** Opens the ports `settings` choose. */
export async function openEdgeState(
  settings: Pick<Settings, 'redis'>,
  store: Pick<Store, 'idempotency'>,
  logger: Logger,
): Promise<EdgeState> {
  const { redis } = settings
  if (redis === undefined) {
    const limiter = new MemoryRateLimiter()
    return {
      rateLimiter: limiter,
      idempotencyCache: store.idempotency,
      counters: [],
      close: () => Promise.resolve(limiter.close()),
    }
  }
  // Each failed reconnection is an error event; the fail-safe limiter logs what matters to requests.
  const client = connectRedis({
    url: redis.url.reveal(),
    commandTimeoutMs: redis.commandTimeoutMs,
    onError: (error) => logger.debug({ err: error }, 'redis connection error'),
  })
  if (await waitUntilReady(client, redisStartWaitMs)) {
    logger.info({ keyPrefix: redis.keyPrefix, failMode: redis.failMode }, 'redis connected')
  } else {
    logger.warn(
      { keyPrefix: redis.keyPrefix, failMode: redis.failMode, waitedMs: redisStartWaitMs },
      'redis is unreachable at start; serving under AION_REDIS_FAIL_MODE until it answers (keyed requests get 503)',
    )
  }
  const keys = new RedisKeys(redis.keyPrefix)
  const limiter = new FailSafeRateLimiter({
    shared: new RedisRateLimiter(client, keys),
    mode: redis.failMode,
    logger,
  })
  return {
    rateLimiter: limiter,
    idempotencyCache: new RedisIdempotencyCache(client, keys),
    counters: [
      {
        name: 'aion_rate_limit_store_failures_total',
        help: "Rate-limit decisions made while Redis was unreachable (fail-open: by this process's buckets; fail-closed: refused with 503)",
        labels: { fail_mode: redis.failMode },
        value: () => limiter.failures,
      },
    ],
    async close() {
      limiter.close()
      await closeRedis(client)
    },
  }
}
