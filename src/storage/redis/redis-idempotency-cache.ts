/**
 * The {@link IdempotencyCache} on Redis, shared by every gateway: one hash
 * per (tenant, credential, key) that expires with the key's TTL. Each
 * operation is one Lua script, so of concurrent `begin`s exactly one
 * starts. The in-progress lock's lease is measured on Redis's clock
 * (`TIME`), not the caller's `now`: a gateway whose clock runs ahead cannot
 * take over a lock that still holds.
 */
import type { Redis } from 'ioredis'
import type { JsonValue } from '../../core/domain/index.js'
import type {
  IdempotencyCache,
  IdempotencyCacheBegin,
  IdempotencyCacheBeginInput,
  IdempotencyCacheRef,
} from '../../core/edge-state/index.js'
import type { RedisKeys } from './redis-keys.js'
import { RedisScript } from './redis-script.js'

// Fields: h request hash, s state, r stored response (JSON), task bound task id,
// o lock owner, l lock expiry (ms, Redis time). Absent fields come back as ''.
const begin = new RedisScript(
  'idempotency-begin',
  `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lock_until = string.format('%.0f', now + tonumber(ARGV[4]))
local f = redis.call('HMGET', KEYS[1], 'h', 's', 'r', 'task', 'l')
if not f[1] then
  redis.call('HSET', KEYS[1], 'h', ARGV[1], 's', 'in_progress', 'o', ARGV[3], 'l', lock_until)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'started', ARGV[1], 'in_progress', '', ''}
end
local outcome = 'replay'
if f[1] ~= ARGV[1] then
  outcome = 'mismatch'
elseif f[2] == 'in_progress' and tonumber(f[5] or '0') <= now then
  redis.call('HSET', KEYS[1], 'o', ARGV[3], 'l', lock_until)
  outcome = 'resumed'
end
return {outcome, f[1], f[2], f[3] or '', f[4] or ''}
`,
)

const complete = new RedisScript(
  'idempotency-complete',
  `
if redis.call('HGET', KEYS[1], 's') ~= 'in_progress' then return 0 end
redis.call('HSET', KEYS[1], 's', 'completed', 'r', ARGV[1])
redis.call('HDEL', KEYS[1], 'o', 'l')
return 1
`,
)

const release = new RedisScript(
  'idempotency-release',
  `
if redis.call('HGET', KEYS[1], 's') == 'in_progress' then redis.call('DEL', KEYS[1]) end
return 0
`,
)

const bind = new RedisScript(
  'idempotency-bind',
  `
if redis.call('HGET', KEYS[1], 's') ~= 'in_progress' then return 0 end
redis.call('HSET', KEYS[1], 'task', ARGV[1])
return 1
`,
)

/** `Idempotency-Key`s and their in-progress locks in Redis. */
export class RedisIdempotencyCache implements IdempotencyCache {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async begin(input: IdempotencyCacheBeginInput): Promise<IdempotencyCacheBegin> {
    const reply = (await begin.run(
      this.client,
      [this.#key(input)],
      [input.requestHash, Math.max(1, Math.ceil(input.ttlMs)), input.owner, input.lockMs],
    )) as [IdempotencyCacheBegin['outcome'], string, string, string, string]
    const [outcome, requestHash, state, response, taskId] = reply
    return {
      outcome,
      record: {
        requestHash,
        state: state === 'completed' ? 'completed' : 'in_progress',
        response: response === '' ? null : (JSON.parse(response) as JsonValue),
        taskId: taskId === '' ? null : taskId,
      },
    }
  }

  async complete(ref: IdempotencyCacheRef, response: JsonValue): Promise<boolean> {
    const done = await complete.run(this.client, [this.#key(ref)], [JSON.stringify(response)])
    return done === 1
  }

  async release(ref: IdempotencyCacheRef): Promise<void> {
    await release.run(this.client, [this.#key(ref)], [])
  }

  async bind(ref: IdempotencyCacheRef, taskId: string): Promise<boolean> {
    return (await bind.run(this.client, [this.#key(ref)], [taskId])) === 1
  }

  // The credential is encoded: a `:` in a JWT subject must not make two credentials' keys meet.
  #key(ref: IdempotencyCacheRef): string {
    return this.keys.of(ref.tenantId, 'idem', `${encodeURIComponent(ref.credential)}:${ref.key}`)
  }
}
