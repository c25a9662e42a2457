import type { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
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

  it('replays on another gateway what one gateway stored, and detects another body', async () => {
    const started = await a.begin(input('replay'))
    expect(started).toEqual({
      outcome: 'started',
      record: { requestHash: 'sha-a', state: 'in_progress', response: null, taskId: null },
    })
    expect(await b.begin(input('replay', { owner: 'gw_b' }))).toMatchObject({
      outcome: 'replay',
      record: { state: 'in_progress' },
    })
    const response = { status: 202, body: { task_id: 'tsk_1', output: { text: 'ok ✓' } } }
    expect(await a.bind(input('replay'), 'tsk_1')).toBe(true)
    expect(await a.complete(input('replay'), response)).toBe(true)
    expect(await a.complete(input('replay'), response)).toBe(false)
    expect(await b.begin(input('replay', { owner: 'gw_b' }))).toEqual({
      outcome: 'replay',
      record: { requestHash: 'sha-a', state: 'completed', response, taskId: 'tsk_1' },
    })
    expect(await b.begin(input('replay', { requestHash: 'sha-b' }))).toMatchObject({
      outcome: 'mismatch',
      record: { requestHash: 'sha-a' },
    })
    const ttlMs = await (clients[0] as Redis).pttl(
      `${prefix}tenant:default:idem:api_key%3Akey_1:replay`,
    )
    expect(ttlMs).toBeGreaterThan(590_000)
  })

  it('lets exactly one of many concurrent begins across gateways start; release frees the key', async () => {
    const racers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? a : b).begin(input('race', { owner: `gw_${i}` })),
      ),
    )
    expect(racers.filter((r) => r.outcome === 'started')).toHaveLength(1)
    expect(racers.filter((r) => r.outcome === 'replay')).toHaveLength(15)
    await b.release(input('race'))
    expect((await a.begin(input('race'))).outcome).toBe('started')
    // A completed key is not released.
    await a.complete(input('race'), { status: 200 })
    await a.release(input('race'))
    expect((await b.begin(input('race'))).record.state).toBe('completed')
  })

  it("frees a lock once its lease lapses, on Redis's clock, with the task it bound", async () => {
    await a.begin(input('lease', { owner: 'gw_dead', lockMs: 300 }))
    expect(await a.bind(input('lease'), 'tsk_9')).toBe(true)
    // The caller's clock an hour ahead does not lapse the lease: Redis's clock does.
    const early = await b.begin({
      ...input('lease', { owner: 'gw_b', lockMs: 300 }),
      now: new Date(Date.now() + 3_600_000),
    })
    expect(early.outcome).toBe('replay')
    await new Promise((resolve) => setTimeout(resolve, 400))
    const racers = await Promise.all(
      ['gw_b', 'gw_c', 'gw_d'].map((owner) =>
        (owner === 'gw_c' ? a : b).begin(input('lease', { owner })),
      ),
    )
    const resumed = racers.filter((r) => r.outcome === 'resumed')
    expect(resumed).toHaveLength(1)
    expect(resumed[0]?.record).toMatchObject({ taskId: 'tsk_9', state: 'in_progress' })
    expect(await b.complete(input('lease'), { status: 200 })).toBe(true)
  })

  it('keeps tenants and credentials apart', async () => {
    await a.begin({ ...input('shared'), tenantId: 'acme' })
    expect((await a.begin({ ...input('shared'), tenantId: 'globex' })).outcome).toBe('started')
    expect(
      (await a.begin({ ...input('shared'), tenantId: 'acme', credential: 'api_key:key_2' }))
        .outcome,
    ).toBe('started')
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
  })
})
