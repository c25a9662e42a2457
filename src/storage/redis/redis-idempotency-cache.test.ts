import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { idempotencyCacheCases } from '../../core/edge-state/idempotency-cache.case.js'
import { describeWithEngine } from '../../../test/support/engines.js'
import {
  dropKeys,
  freshKeyPrefix,
  keysUnder,
  probeRedis,
  testRedisClient,
} from '../../../test/support/redis.js'
import { closeRedis } from './redis-connection.js'
import { RedisIdempotencyCache } from './redis-idempotency-cache.js'
import { RedisKeys } from './redis-keys.js'

const probe = await probeRedis()

describeWithEngine('Redis', probe, (url) => {
  const prefix = freshKeyPrefix()
  const keys = new RedisKeys(prefix)
  let clients: Redis[]
  // Two gateways: each its own client.
  let a: RedisIdempotencyCache
  let b: RedisIdempotencyCache

  beforeAll(async () => {
    clients = await Promise.all([testRedisClient(url), testRedisClient(url)])
    a = new RedisIdempotencyCache(clients[0] as Redis, keys)
    b = new RedisIdempotencyCache(clients[1] as Redis, keys)
  })
  afterAll(async () => {
    await closeRedis(clients[1] as Redis)
    await dropKeys(clients[0] as Redis, prefix)
  })

  const input = (
    key: string,
    extra: { owner?: string; lockMs?: number; requestHash?: string } = {},
  ) => ({
    tenantId: 'default',
    credential: 'api_key:key_1',
    key,
    requestHash: extra.requestHash ?? 'sha-a',
    ttlMs: 600_000,
    owner: extra.owner ?? 'gw_a',
    lockMs: extra.lockMs ?? 60_000,
    now: new Date(),
  })

  describe('RedisIdempotencyCache, the shared cases, two clients (two gateways)', () =>
    idempotencyCacheCases(
      () => a,
      () => b,
    ))

  it("measures leases on Redis's clock: a caller's clock an hour ahead does not lapse one", async () => {
    await a.begin(input('lease', { owner: 'gw_a', lockMs: 60_000 }))
    const ahead = { ...input('lease', { owner: 'gw_b' }), now: new Date(Date.now() + 3_600_000) }
    expect((await b.begin(ahead)).outcome).toBe('replay')
  })

  it('keeps a key under its tenant, the credential encoded, for the TTL', async () => {
    await a.begin({ ...input('shared'), tenantId: 'acme' })
    await a.begin({ ...input('shared'), tenantId: 'acme', credential: 'api_key:key_2' })
    // A ':' in a credential cannot make it meet another credential's key.
    expect(
      (await a.begin({ ...input('x:y'), tenantId: 'acme', credential: 'jwt:a' })).outcome,
    ).toBe('started')
    expect(
      (await a.begin({ ...input('y'), tenantId: 'acme', credential: 'jwt:a:x' })).outcome,
    ).toBe('started')
    expect(await keysUnder(clients[0] as Redis, `${prefix}tenant:acme:`)).toEqual([
      `${prefix}tenant:acme:idem:api_key%3Akey_1:shared`,
      `${prefix}tenant:acme:idem:api_key%3Akey_2:shared`,
      `${prefix}tenant:acme:idem:jwt%3Aa%3Ax:y`,
      `${prefix}tenant:acme:idem:jwt%3Aa:x:y`,
    ])
    const ttlMs = await (clients[0] as Redis).pttl(
      `${prefix}tenant:acme:idem:api_key%3Akey_1:shared`,
    )
    expect(ttlMs).toBeGreaterThan(590_000)
  })
})
