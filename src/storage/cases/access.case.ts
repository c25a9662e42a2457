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

  it('lets one caller take over an in-progress key whose lock lapsed, with the task it bound', async () => {
    const ref = { tenantId: tenant(), credential: 'key_1', key: 'idem-lock' }
    const idem = store().idempotency
    const t0 = new Date('2024-06-01T12:00:00.000Z')
    const input = { ...ref, requestHash: 'sha-a', ttlMs: 600_000, lockMs: 1_000 }
    await idem.begin({ ...input, owner: 'proc_dead', now: t0 })
    expect(await idem.bind(ref, 'tsk_1')).toBe(true)
    const held = await idem.begin({ ...input, owner: 'proc_b', now: new Date(t0.getTime() + 500) })
    expect(held).toMatchObject({ outcome: 'replay', record: { lockOwner: 'proc_dead' } })
    const later = new Date(t0.getTime() + 2_000)
    const racers = await Promise.all(
      ['proc_b', 'proc_c', 'proc_d'].map((owner) => idem.begin({ ...input, owner, now: later })),
    )
    const resumed = racers.filter((r) => r.outcome === 'resumed')
    expect(resumed).toHaveLength(1)
    expect(resumed[0]?.record).toMatchObject({ taskId: 'tsk_1', state: 'in_progress' })
    expect(resumed[0]?.record.lockExpiresAt).toBe('2024-06-01T12:00:03.000Z')
    expect(await idem.complete(ref, { status: 200 })).toBe(true)
    expect(await idem.get(ref, later)).toMatchObject({ state: 'completed', lockOwner: null })
  })

  it("lets every other owner's lock lapse at a restart", async () => {
    const tenantId = tenant()
    const idem = store().idempotency
    const input = {
      tenantId,
      credential: 'key_1',
      requestHash: 'h',
      ttlMs: 600_000,
      lockMs: 600_000,
    }
    await idem.begin({ ...input, key: 'mine', owner: 'proc_new' })
    await idem.begin({ ...input, key: 'theirs', owner: 'proc_old' })
    expect(await idem.expireLocks('proc_new')).toBeGreaterThanOrEqual(1)
    const again = (key: string) => idem.begin({ ...input, key, owner: 'proc_new' })
    expect((await again('theirs')).outcome).toBe('resumed')
    expect((await again('mine')).outcome).toBe('replay')
  })
}
