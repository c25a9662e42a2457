import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { StoreConflictError } from '../../core/errors/index.js'
import type { Store } from '../ports/store.js'

const tenant = () => `t_${randomUUID()}`

/** Cases for the `ApiKeyStore` and `IdempotencyStore` ports. */
export function accessCases(store: () => Store): void {
  it('creates, finds, lists, touches and revokes API keys', async () => {
    const tenantId = tenant()
    const keyId = `key_${randomUUID()}`
    const keys = store().apiKeys
    const created = await keys.create({
      tenantId,
      keyId,
      secretHash: 'scrypt$abc',
      name: 'ci',
      scopes: ['tasks:write', 'tasks:read'],
      createdAt: '2024-05-01T10:00:00.000Z',
    })
    expect(created).toStrictEqual({
      tenantId,
      keyId,
      secretHash: 'scrypt$abc',
      name: 'ci',
      scopes: ['tasks:write', 'tasks:read'],
      createdAt: '2024-05-01T10:00:00.000Z',
      revokedAt: null,
      lastUsedAt: null,
    })
    expect(await keys.findById(keyId)).toStrictEqual(created)
    await keys.touch(keyId, '2024-05-02T10:00:00.000Z')
    expect((await keys.findById(keyId))?.lastUsedAt).toBe('2024-05-02T10:00:00.000Z')
    expect(await keys.revoke(tenant(), keyId)).toBe(false)
    expect(await keys.revoke(tenantId, keyId, '2024-05-03T10:00:00.000Z')).toBe(true)
    expect(await keys.revoke(tenantId, keyId)).toBe(false)
    expect((await keys.findById(keyId))?.revokedAt).toBe('2024-05-03T10:00:00.000Z')
    expect((await keys.list(tenantId)).map((k) => k.keyId)).toEqual([keyId])
    expect(await keys.findById('key_absent')).toBeUndefined()
  })

  it('rejects a key id already used, even by another tenant', async () => {
    const keyId = `key_${randomUUID()}`
    const key = { keyId, secretHash: 'h', name: 'n', scopes: [] }
    await store().apiKeys.create({ ...key, tenantId: tenant() })
    await expect(store().apiKeys.create({ ...key, tenantId: tenant() })).rejects.toBeInstanceOf(
      StoreConflictError,
    )
  })

  it('starts, replays, completes and detects a reused idempotency key', async () => {
    const ref = { tenantId: tenant(), credential: 'key_1', key: 'idem-1' }
    const idem = store().idempotency
    const now = new Date('2024-06-01T12:00:00.000Z')
    const started = await idem.begin({ ...ref, requestHash: 'sha-a', ttlMs: 600_000, now })
    expect(started.outcome).toBe('started')
    expect(started.record).toMatchObject({
      state: 'in_progress',
      response: null,
      expiresAt: '2024-06-01T12:10:00.000Z',
    })
    const running = await idem.begin({ ...ref, requestHash: 'sha-a', ttlMs: 600_000, now })
    expect(running).toMatchObject({ outcome: 'replay', record: { state: 'in_progress' } })
    const response = { status: 200, body: { task_id: 'tsk_1', output: { text: 'ok ✓' } } }
    expect(await idem.complete(ref, response)).toBe(true)
    expect(await idem.complete(ref, response)).toBe(false)
    const replay = await idem.begin({ ...ref, requestHash: 'sha-a', ttlMs: 600_000, now })
    expect(replay).toMatchObject({ outcome: 'replay', record: { state: 'completed', response } })
    const mismatch = await idem.begin({ ...ref, requestHash: 'sha-b', ttlMs: 600_000, now })
    expect(mismatch).toMatchObject({ outcome: 'mismatch', record: { requestHash: 'sha-a' } })
    expect(await idem.get({ ...ref, tenantId: tenant() }, now)).toBeUndefined()
  })

  it('expires idempotency records and purges them', async () => {
    const ref = { tenantId: tenant(), credential: 'key_1', key: 'idem-exp' }
    const idem = store().idempotency
    const t0 = new Date('2024-06-01T12:00:00.000Z')
    const later = new Date(t0.getTime() + 2_000)
    await idem.begin({ ...ref, requestHash: 'sha-a', ttlMs: 1_000, now: t0 })
    expect((await idem.get(ref, t0))?.requestHash).toBe('sha-a')
    expect(await idem.get(ref, later)).toBeUndefined()
    const again = await idem.begin({ ...ref, requestHash: 'sha-b', ttlMs: 1_000, now: later })
    expect(again).toMatchObject({ outcome: 'started', record: { requestHash: 'sha-b' } })
    await idem.begin({ ...ref, key: 'idem-exp-2', requestHash: 'x', ttlMs: 1_000, now: t0 })
    expect(await idem.purgeExpired(new Date(later.getTime() + 500))).toBeGreaterThanOrEqual(1)
    expect(await idem.get({ ...ref, key: 'idem-exp-2' }, t0)).toBeUndefined()
    expect((await idem.get(ref, later))?.requestHash).toBe('sha-b')
  })

  it('lets exactly one of many concurrent requests start a key; release frees it', async () => {
    const ref = { tenantId: tenant(), credential: 'key_1', key: 'idem-race' }
    const idem = store().idempotency
    const results = await Promise.all(
      Array.from({ length: 8 }, () => idem.begin({ ...ref, requestHash: 'same', ttlMs: 60_000 })),
    )
    expect(results.filter((r) => r.outcome === 'started')).toHaveLength(1)
    expect(results.filter((r) => r.outcome === 'replay')).toHaveLength(7)
    await idem.release(ref)
    expect((await idem.begin({ ...ref, requestHash: 'same', ttlMs: 60_000 })).outcome).toBe(
      'started',
    )
  })
}
