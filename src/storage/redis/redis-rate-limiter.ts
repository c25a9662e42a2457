/**
 * The {@link RateLimiter} on Redis: each bucket is one hash, and taking a
 * token is one Lua script, atomic in Redis, so any number of gateways share
 * each bucket exactly. Time is Redis's own (`TIME`), never a gateway's, so
 * gateways whose clocks disagree still refill the bucket at its one rate.
 * The arithmetic is the in-process limiter's (same decision, same headers):
 * refill at the rate the bucket was last written with, clamp to the burst,
 * take a token when a whole one is there. A bucket expires once it would be
 * full again (a full bucket and an absent one behave alike).
 */
import type { Redis } from 'ioredis'
import type { RateLimitDecision, RateLimiter, RateLimitRule } from '../../core/edge-state/index.js'
import type { RedisKeys } from './redis-keys.js'
import { RedisScript } from './redis-script.js'

// Fields: tk tokens held, at ms of the last take (Redis time, with µs), r tokens per ms.
// Numbers are written with 17 significant digits: Lua's own tostring keeps 14,
// which would round the timestamp to 100 µs and the tokens with it.
const takeToken = new RedisScript(
  'token-bucket',
  `
if redis.replicate_commands then redis.replicate_commands() end
local rate = tonumber(ARGV[1]) / 60000
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local held = redis.call('HMGET', KEYS[1], 'tk', 'at', 'r')
local tokens = burst
if held[1] then
  local elapsed = math.max(0, now - tonumber(held[2]))
  tokens = math.min(burst, tonumber(held[1]) + elapsed * tonumber(held[3]))
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
local remaining = math.floor(tokens)
local next_ms = 0
if tokens < burst then next_ms = math.ceil((remaining + 1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tk', string.format('%.17g', tokens), 'at', string.format('%.17g', now), 'r', string.format('%.17g', rate))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((burst - tokens) / rate)))
return {allowed, remaining, next_ms}
`,
)

/** Token buckets in Redis, shared by every process that uses the same keys. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async consume(key: string, rule: RateLimitRule, tenantId?: string): Promise<RateLimitDecision> {
    const reply = await takeToken.run(
      this.client,
      [this.keys.of(tenantId, 'rl', key)],
      [rule.perMinute, rule.burst],
    )
    const [allowed, remaining, nextTokenMs] = reply as [number, number, number]
    return {
      allowed: allowed === 1,
      limit: rule.burst,
      remaining,
      retryAfterMs: allowed === 1 ? 0 : nextTokenMs,
      resetMs: nextTokenMs,
    }
  }
}
