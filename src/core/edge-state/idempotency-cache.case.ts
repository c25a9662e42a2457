/**
 * Cases every {@link IdempotencyCache} passes on the real clock: the
 * embedded store's table (SQLite, PostgreSQL) and Redis alike. `second()`
 * may be another instance over the same engine (another gateway).
 */
import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import type { IdempotencyCache } from './idempotency-cache.js'

/** The shared cases, over `first()` and `second()` (the same cache, or two instances sharing one engine). */
export function idempotencyCacheCases(
  first: () => IdempotencyCache,
  second: () => IdempotencyCache = first,
): void {
  const input = (
    key: string,
    extra: { owner?: string; lockMs?: number; requestHash?: string } = {},
  ) => ({
    tenantId: `t_${key}`,
    credential: 'api_key:key_1',
    key,
    requestHash: extra.requestHash ?? 'sha-a',
    ttlMs: 600_000,
    owner: extra.owner ?? 'gw_a',
    lockMs: extra.lockMs ?? 60_000,
    now: new Date(),
  })

  it('starts, replays (on the other instance), completes and detects another body', async () => {
    const key = randomUUID()
    // toMatchObject: an adapter's record may carry more (the store's row does).
    expect(await first().begin(input(key))).toMatchObject({
      outcome: 'started',
      record: { requestHash: 'sha-a', state: 'in_progress', response: null, taskId: null },
    })
    expect(await second().begin(input(key, { owner: 'gw_b' }))).toMatchObject({
      outcome: 'replay',
      record: { state: 'in_progress' },
    })
    const response = { status: 202, body: { task_id: 'tsk_1', output: { text: 'ok ✓' } } }
    expect(await first().bind(input(key), 'tsk_1')).toBe(true)
    expect(await first().complete(input(key), response)).toBe(true)
    expect(await first().complete(input(key), response)).toBe(false)
    expect(await first().bind(input(key), 'tsk_2')).toBe(false)
    expect(await second().begin(input(key, { owner: 'gw_b' }))).toMatchObject({
      outcome: 'replay',
      record: { requestHash: 'sha-a', state: 'completed', response, taskId: 'tsk_1' },
    })
    expect(await second().begin(input(key, { requestHash: 'sha-b' }))).toMatchObject({
      outcome: 'mismatch',
      record: { requestHash: 'sha-a' },
    })
  })

  it('lets exactly one of many concurrent begins start; release frees only an in-progress key', async () => {
    const key = randomUUID()
    const racers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 ? first() : second()).begin(input(key, { owner: `gw_${i}` })),
      ),
    )
    expect(racers.filter((r) => r.outcome === 'started')).toHaveLength(1)
    expect(racers.filter((r) => r.outcome === 'replay')).toHaveLength(15)
    await second().release(input(key))
    expect((await first().begin(input(key))).outcome).toBe('started')
    await first().complete(input(key), { status: 200 })
    await first().release(input(key))
    expect((await second().begin(input(key))).record.state).toBe('completed')
  })

  it('frees a lock once its lease lapses: one caller resumes it, with the task it bound', async () => {
    const key = randomUUID()
    await first().begin(input(key, { owner: 'gw_dead', lockMs: 300 }))
    expect(await first().bind(input(key), 'tsk_9')).toBe(true)
    expect((await second().begin(input(key, { owner: 'gw_b' }))).outcome).toBe('replay')
    await new Promise((resolve) => setTimeout(resolve, 400))
    const racers = await Promise.all(
      ['gw_b', 'gw_c', 'gw_d'].map((owner) =>
        (owner === 'gw_c' ? first() : second()).begin(input(key, { owner })),
      ),
    )
    const resumed = racers.filter((r) => r.outcome === 'resumed')
    expect(resumed).toHaveLength(1)
    expect(resumed[0]?.record).toMatchObject({ taskId: 'tsk_9', state: 'in_progress' })
    expect(await second().complete(input(key), { status: 200 })).toBe(true)
  })

  it('keeps tenants and credentials apart', async () => {
    const key = randomUUID()
    await first().begin(input(key))
    expect((await first().begin({ ...input(key), tenantId: `other_${key}` })).outcome).toBe(
      'started',
    )
    expect((await first().begin({ ...input(key), credential: 'api_key:key_2' })).outcome).toBe(
      'started',
    )
  })
}
