import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { StoreConflictError, StoreOptionsInvalidError } from '../../core/errors/index.js'
import type { Store } from '../ports/store.js'
import type { NewTask, TaskRecord } from '../ports/task-store.js'

const tenant = () => `t_${randomUUID()}`

/** A task using every field, with values that trip up naive storage. */
export function richTask(tenantId: string, taskId = `tsk_${randomUUID()}`): Required<NewTask> {
  return {
    task_id: taskId,
    tenant_id: tenantId,
    intent: 'summarize',
    status: 'succeeded',
    route: 'hybrid',
    engine: { kind: 'module', name: 'summarize_text', version: '1.3.0', tier: 'tier0' },
    request: {
      intent: 'summarize',
      input: { text: 'Ünïcødé — 世界 🚀 עברית', max_sentences: 2 },
      metadata: {},
    },
    output: {
      summary: 'naïve café ☕ "quoted" \\ back\nslash',
      sentences: [0, 3],
      nested: { a: null, b: [null, { c: null }], empty: {}, list: [] },
      numbers: { tiny: 1e-7, sum: 0.1 + 0.2, big: 9007199254740991, negative: -42.5, zero: 0 },
      flags: [true, false],
    },
    usage: {
      input_tokens: 1234,
      output_tokens: 567,
      cost_usd: 0.000123456789012345,
      duration_ms: 3,
    },
    error: null,
    decision: {
      route: 'hybrid',
      reasons: ['privacy:allow-api', 'budget:ok'],
      estimates: { cost_usd: 0.0042 },
    },
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    idempotency_key: '7f3c-key',
    attempt: 2,
    lease_owner: 'proc_a',
    lease_expires_at: '2024-03-01T00:00:30.456Z',
    created_at: '2024-02-29T23:59:59.123Z',
    updated_at: '2024-03-01T00:00:00.456Z',
  }
}

/** Cases for the `TaskStore` port. */
export function taskCases(store: () => Store): void {
  it('reads a task back deep-equal to what was written', async () => {
    const input = richTask(tenant())
    const created = await store().tasks.create(input)
    const expected: TaskRecord = { ...input }
    expect(created).toStrictEqual(expected)
    expect(await store().tasks.get(input.tenant_id, input.task_id)).toStrictEqual(expected)
  })

  it('keeps a top-level JSON string, failure details and defaults', async () => {
    const tenantId = tenant()
    const created = await store().tasks.create({
      task_id: 'tsk_minimal',
      tenant_id: tenantId,
      intent: 'echo',
      request: 'just a string',
    })
    expect(created).toMatchObject({
      status: 'queued',
      route: null,
      engine: null,
      output: null,
      error: null,
      decision: null,
      usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0, duration_ms: 0 },
      request: 'just a string',
    })
    expect(created.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(created.updated_at).toBe(created.created_at)
    expect(await store().tasks.get(tenantId, 'tsk_minimal')).toStrictEqual(created)
  })

  it('scopes tasks by tenant', async () => {
    const input = richTask(tenant())
    await store().tasks.create(input)
    expect(await store().tasks.get(tenant(), input.task_id)).toBeUndefined()
    expect(
      await store().tasks.update(tenant(), input.task_id, { status: 'failed' }),
    ).toBeUndefined()
    const other = await store().tasks.create({ ...input, tenant_id: tenant(), intent: 'other' })
    expect(other.intent).toBe('other')
    expect((await store().tasks.get(input.tenant_id, input.task_id))?.intent).toBe('summarize')
  })

  it('rejects a duplicate task id with StoreConflictError', async () => {
    const input = richTask(tenant())
    await store().tasks.create(input)
    const duplicate = store().tasks.create(input)
    await expect(duplicate).rejects.toBeInstanceOf(StoreConflictError)
    await expect(duplicate).rejects.toMatchObject({
      code: 'AION_STORE_CONFLICT',
      fields: { entity: 'tasks' },
    })
  })

  it('updates fields and guards transitions by the expected status', async () => {
    const tenantId = tenant()
    await store().tasks.create({ task_id: 'tsk_1', tenant_id: tenantId, intent: 'x', request: {} })
    const routed = await store().tasks.update(
      tenantId,
      'tsk_1',
      { status: 'routed', route: 'api', updated_at: '2030-01-01T00:00:00.000Z' },
      { expectStatus: 'queued' },
    )
    expect(routed).toMatchObject({
      status: 'routed',
      route: 'api',
      updated_at: '2030-01-01T00:00:00.000Z',
    })
    const again = await store().tasks.update(
      tenantId,
      'tsk_1',
      { status: 'running' },
      { expectStatus: ['queued'] },
    )
    expect(again).toBeUndefined()
    const failed = await store().tasks.update(
      tenantId,
      'tsk_1',
      {
        status: 'failed',
        error: { code: 'AION_PROVIDER_TIMEOUT', message: 'upstream timed out', retryable: true },
        usage: { input_tokens: 10, output_tokens: 0, cost_usd: 0.0000015, duration_ms: 2000 },
      },
      { expectStatus: ['routed', 'running'] },
    )
    expect(failed?.error).toEqual({
      code: 'AION_PROVIDER_TIMEOUT',
      message: 'upstream timed out',
      retryable: true,
    })
    expect(await store().tasks.get(tenantId, 'tsk_1')).toStrictEqual(failed)
    expect(failed?.route).toBe('api')
  })

  it('inside a transaction: the same conflict, guarded transitions, and all rolled back on failure', async () => {
    const input = richTask(tenant())
    const at = [input.tenant_id, input.task_id] as const
    const guarded: boolean[] = []
    const duplicate = store().transaction(async (tx) => {
      await tx.tasks.create({ ...input, status: 'running' })
      guarded.push(await tx.tasks.transition(...at, { status: 'failed' }, ['queued']))
      guarded.push(await tx.tasks.transition(...at, { status: 'succeeded' }, ['running']))
      await tx.tasks.create(input)
    })
    await expect(duplicate).rejects.toMatchObject({
      code: 'AION_STORE_CONFLICT',
      fields: { entity: 'tasks' },
    })
    await expect(duplicate).rejects.toBeInstanceOf(StoreConflictError)
    expect(guarded).toEqual([false, true])
    expect(await store().tasks.get(...at)).toBeUndefined()
  })

  it('applies a guarded transition without reading back, false when the guard fails', async () => {
    const input = richTask(tenant())
    await store().tasks.create({ ...input, status: 'running' })
    const patch = {
      status: 'succeeded' as const,
      output: { summary: 'done' },
      usage: { input_tokens: 3, output_tokens: 4, cost_usd: 0.5, duration_ms: 7 },
      updated_at: '2031-05-06T07:08:09.010Z',
    }
    const at = [input.tenant_id, input.task_id] as const
    expect(await store().tasks.transition(...at, patch, ['queued', 'routed'])).toBe(false)
    expect(await store().tasks.transition(...at, patch, [])).toBe(false)
    expect((await store().tasks.get(...at))?.status).toBe('running')
    expect(await store().tasks.transition(...at, patch, ['running'])).toBe(true)
    expect(await store().tasks.get(...at)).toStrictEqual({
      ...input,
      ...patch,
    })
    expect(await store().tasks.transition(tenant(), input.task_id, patch, ['succeeded'])).toBe(
      false,
    )
  })

  it('lists newest first, by cursor, optionally by status', async () => {
    const tenantId = tenant()
    for (let i = 0; i < 5; i += 1) {
      await store().tasks.create({
        task_id: `tsk_${i}`,
        tenant_id: tenantId,
        intent: 'x',
        request: {},
        status: i % 2 === 0 ? 'succeeded' : 'failed',
        created_at: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
      })
    }
    const first = await store().tasks.list(tenantId, { limit: 2 })
    expect(first.items.map((t) => t.task_id)).toEqual(['tsk_4', 'tsk_3'])
    const second = await store().tasks.list(tenantId, { limit: 2, after: first.nextCursor })
    expect(second.items.map((t) => t.task_id)).toEqual(['tsk_2', 'tsk_1'])
    const third = await store().tasks.list(tenantId, { limit: 2, after: second.nextCursor })
    expect(third.items.map((t) => t.task_id)).toEqual(['tsk_0'])
    expect(third.nextCursor).toBeUndefined()
    const failed = await store().tasks.list(tenantId, { status: 'failed' })
    expect(failed.items.map((t) => t.task_id)).toEqual(['tsk_3', 'tsk_1'])
    await expect(store().tasks.list(tenantId, { after: 'garbage' })).rejects.toBeInstanceOf(
      StoreOptionsInvalidError,
    )
  })

  it("guards a change on the lease owner, and renews only the owner's leases", async () => {
    const tenantId = tenant()
    const lease = { lease_owner: 'proc_a', lease_expires_at: '2030-01-01T00:00:00.000Z' }
    await store().tasks.create({
      task_id: 'tsk_a',
      tenant_id: tenantId,
      intent: 'x',
      request: {},
      ...lease,
    })
    await store().tasks.create({
      task_id: 'tsk_done',
      tenant_id: tenantId,
      intent: 'x',
      request: {},
      status: 'failed',
      ...lease,
    })
    const patch = { status: 'routed' as const, updated_at: new Date().toISOString() }
    expect(await store().tasks.transition(tenantId, 'tsk_a', patch, ['queued'], 'proc_b')).toBe(
      false,
    )
    expect(
      await store().tasks.update(tenantId, 'tsk_a', patch, { expectLeaseOwner: null }),
    ).toBeUndefined()
    expect(await store().tasks.transition(tenantId, 'tsk_a', patch, ['queued'], 'proc_a')).toBe(
      true,
    )
    const until = '2031-06-01T12:00:00.000Z'
    expect(await store().tasks.renewLeases('proc_a', until)).toBeGreaterThanOrEqual(1)
    expect((await store().tasks.get(tenantId, 'tsk_a'))?.lease_expires_at).toBe(until)
    // A finished task's lease is left as it was.
    expect((await store().tasks.get(tenantId, 'tsk_done'))?.lease_expires_at).toBe(
      lease.lease_expires_at,
    )
  })

  it('lists the unfinished tasks of every tenant that another owner holds, oldest first', async () => {
    const [a, b] = [tenant(), tenant()]
    const at = (s: number) => new Date(Date.UTC(2020, 0, 1, 0, 0, s)).toISOString()
    const make = (tenantId: string, id: string, s: number, extra: Partial<NewTask>) =>
      store().tasks.create({
        task_id: id,
        tenant_id: tenantId,
        intent: 'x',
        request: {},
        created_at: at(s),
        ...extra,
      })
    await make(a, 'tsk_mine', 0, { lease_owner: 'me', lease_expires_at: at(100) })
    await make(b, 'tsk_dead', 1, {
      status: 'running',
      lease_owner: 'gone',
      lease_expires_at: at(10),
    })
    await make(a, 'tsk_none', 2, { status: 'routed' })
    await make(b, 'tsk_live', 3, {
      lease_owner: 'alive',
      lease_expires_at: '2999-01-01T00:00:00.000Z',
    })
    await make(a, 'tsk_ended', 4, { status: 'succeeded', lease_owner: 'gone' })
    const ours = (records: readonly TaskRecord[]) =>
      records.filter((r) => r.tenant_id === a || r.tenant_id === b).map((r) => r.task_id)
    const all = await store().tasks.unfinished({ notOwnedBy: 'me', limit: 10_000 })
    expect(ours(all)).toEqual(['tsk_dead', 'tsk_none', 'tsk_live'])
    const lapsed = await store().tasks.unfinished({
      notOwnedBy: 'me',
      leaseExpiredBefore: new Date().toISOString(),
      limit: 10_000,
    })
    expect(ours(lapsed)).toEqual(['tsk_dead', 'tsk_none'])
  })
}
