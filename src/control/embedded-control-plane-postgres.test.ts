/** The core task flows on PostgreSQL: same control plane, the production store. */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Actor } from '../core/domain/index.js'
import { openStore } from '../storage/index.js'
import { describeWithEngine } from '../../test/support/engines.js'
import { dropSchema, freshSchemaName, probePostgres } from '../../test/support/postgres.js'
import { newTaskId } from './lifecycle/task-envelope.js'
import { startHarness, traceId, type Harness } from './control-plane.fixture.js'

const probe = await probePostgres()
const text = 'PostgreSQL holds the same tasks. Events go out in order. Nothing is lost.'

describeWithEngine('PostgreSQL', probe, (url) => {
  const schema = freshSchemaName('aion_control')
  let h: Harness | undefined
  beforeAll(async () => {
    h = await startHarness({
      openStore: (dataDir) => openStore({ databaseUrl: url, dataDir, schema }),
    })
  })
  afterAll(async () => {
    await h?.close()
    await dropSchema(url, schema)
  })

  it('runs a local task to succeeded with its lifecycle events in order', async () => {
    const queued = await h!.submit({ intent: 'summarize', input: { text }, route: 'local' })
    const done = await h!.cp.waitForEnd('default', queued.task_id, 10_000)
    expect(done).toMatchObject({ status: 'succeeded', engine: { name: 'summarize_text' } })
    const statuses = (await h!.cp.platformEvents(0, 1000, 'aion.tasks.lifecycle'))
      .filter((e) => e.key === queued.task_id)
      .map((e) => (e.payload as { status: string }).status)
    expect(statuses).toEqual(['queued', 'routed', 'running', 'succeeded'])
    expect(await h!.store.usage.listByTask('default', queued.task_id)).toHaveLength(1)
  })

  it('falls back after a provider 500 and records the cost', async () => {
    h!.upstream.reset()
    h!.upstream.script({ status: 500 })
    const queued = await h!.submit({ intent: 'summarize', input: { text }, route: 'api' })
    const done = await h!.cp.waitForEnd('default', queued.task_id, 10_000)
    expect(done).toMatchObject({ status: 'succeeded', engine: { name: 'openai:gpt-4.1-mini' } })
    const usage = await h!.store.usage.listByTask('default', queued.task_id)
    expect(usage[0]!.costUsd).toBe(done.usage.cost_usd)
  })

  it('recovers after a crash: running → failed (retryable), queued → run', async () => {
    const running = newTaskId()
    const queued = newTaskId()
    const request = { intent: 'summarize', input: { text }, route: 'local' }
    await h!.store.tasks.create({
      task_id: running,
      intent: 'summarize',
      request,
      status: 'running',
      trace_id: traceId,
    })
    await h!.store.tasks.create({
      task_id: queued,
      intent: 'summarize',
      request,
      trace_id: traceId,
    })
    const restarted = await h!.restart()
    expect(await restarted.get('default', running)).toMatchObject({
      status: 'failed',
      error: { code: 'AION_TASK_INTERRUPTED', retryable: true },
    })
    expect((await restarted.waitForEnd('default', queued, 10_000)).status).toBe('succeeded')
  })
  it('on a shared store takes over only lapsed leases, and a live one once it lapses', async () => {
    const request = { intent: 'summarize', input: { text }, route: 'local' }
    const make = (leaseMs: number, status: 'queued' | 'routed') => {
      const taskId = newTaskId()
      return h!.store.tasks
        .create({
          task_id: taskId,
          tenant_id: 'tenant_pg',
          intent: 'summarize',
          request,
          status,
          trace_id: traceId,
          lease_owner: 'proc_elsewhere',
          lease_expires_at: new Date(Date.now() + leaseMs).toISOString(),
        })
        .then(() => taskId)
    }
    const lapsed = await make(-1000, 'routed')
    const live = await make(2_000, 'queued')
    // Leases of 1.5 s: each renewal round (every 0.5 s) also looks for lapsed ones.
    const restarted = await h!.restart({ taskLeaseMs: 1_500 })
    expect((await restarted.waitForEnd('tenant_pg', lapsed, 10_000)).status).toBe('succeeded')
    expect(await h!.store.tasks.get('tenant_pg', live)).toMatchObject({
      status: 'queued',
      lease_owner: 'proc_elsewhere',
    })
    expect((await restarted.waitForEnd('tenant_pg', live, 10_000)).status).toBe('succeeded')
    expect(await h!.store.tasks.get('tenant_pg', live)).toMatchObject({ attempt: 2 })
  })
  it("manages a tenant's own keys, audited in the same write; never another tenant's", async () => {
    const admin: Actor = {
      tenantId: 'tenant_keys',
      kind: 'api_key',
      id: 'k_admin',
      scopes: ['admin'],
    }
    const other: Actor = { ...admin, tenantId: 'tenant_other', id: 'k_other' }
    const created = await h!.cp.createKey(admin, {
      name: 'pg',
      scopes: ['tasks:read'],
    })
    expect(created.key.startsWith(`aion_${created.record.keyId}_`)).toBe(true)
    const keyId = created.record.keyId
    expect((await h!.cp.listKeys(admin)).map((k) => k.keyId)).toEqual([keyId])
    expect(await h!.cp.listKeys(other)).toEqual([])
    await expect(h!.cp.revokeKey(other, keyId)).rejects.toMatchObject({
      code: 'AION_AUTH_KEY_NOT_FOUND',
    })
    await expect(
      h!.cp.createKey(admin, { name: 'up', scopes: ['operator'] }),
    ).rejects.toMatchObject({ code: 'AION_AUTH_SCOPE_NOT_GRANTABLE' })
    const revoked = await h!.cp.revokeKey(admin, keyId)
    expect(revoked.revokedAt).not.toBeNull()
    expect((await h!.store.apiKeys.findById(keyId))?.revokedAt).not.toBeNull()
    const audit = await h!.store.audit.list('tenant_keys')
    expect(audit.map((r) => [r.action, r.target])).toEqual([
      ['key.create', keyId],
      ['key.revoke', keyId],
    ])
    const events = await h!.cp.platformEvents(0, 1000, 'aion.audit.activity', 'tenant_keys')
    expect(events.map((e) => e.key)).toEqual([keyId, keyId])
    expect(await h!.store.audit.list('tenant_other')).toEqual([])
  })
})
