/** Faults through the real control plane: cancel, timeout, breaker, full queue, drain, recovery. */
import { afterEach, describe, expect, it } from 'vitest'
import { newTaskId } from './lifecycle/task-envelope.js'
import { TaskMachine } from './lifecycle/task-machine.js'
import { startHarness, testActor, traceId, type Harness } from './control-plane.fixture.js'

const text = 'Breakers open. Queues fill. Tasks end. Nothing stays stuck.'
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('cancellation and deadlines', () => {
  it('cancel aborts the provider call (the upstream sees the connection close) and ends cancelled', async () => {
    h = await startHarness()
    h.upstream.script({ hang: true })
    const queued = await h.submit({ intent: 'summarize', input: { text }, route: 'api' })
    await until(() => h!.upstream.requests.length === 1)
    const cancelled = await h.cp.cancel(testActor, queued.task_id)
    expect(cancelled).toMatchObject({ status: 'cancelled', error: { code: 'AION_TASK_CANCELLED' } })
    await expect(h.upstream.requests[0]!.finished).resolves.toBe('client-closed')
    expect(h.upstream.requests).toHaveLength(1)
    const audit = (await h.cp.platformEvents(0, 1000, 'aion.audit.activity')).map((e) => e.payload)
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'task.cancel',
        target: queued.task_id,
        outcome: 'success',
      }),
    )
    // Cancelling again changes nothing and says so.
    expect((await h.cp.cancel(testActor, queued.task_id)).status).toBe('cancelled')
    await expect(h.cp.cancel(testActor, newTaskId())).rejects.toMatchObject({
      code: 'AION_TASK_NOT_FOUND',
    })
  })

  it('a task past its deadline ends timed_out with the call aborted', async () => {
    h = await startHarness({ settings: { taskTimeoutMs: 300 } })
    h.upstream.script({ hang: true })
    const queued = await h.submit({ intent: 'summarize', input: { text }, route: 'api' })
    const done = await h.cp.waitForEnd('default', queued.task_id, 5000)
    expect(done).toMatchObject({
      status: 'timed_out',
      error: { code: 'AION_TASK_TIMED_OUT', retryable: true },
    })
    await expect(h.upstream.requests[0]!.finished).resolves.toBe('client-closed')
  })
})

describe('breaker', () => {
  it('opens after consecutive failures, so the router skips the provider for the next task', async () => {
    h = await startHarness({ settings: { breakerFailures: 2, retryMax: 1 } })
    h.upstream.script({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 })
    const first = await h.submit({ intent: 'summarize', input: { text }, route: 'api' })
    const failed = await h.cp.waitForEnd('default', first.task_id, 5000)
    expect(failed.status).toBe('failed')
    expect(failed.error?.retryable).toBe(true)
    expect(h.upstream.requests).toHaveLength(4)

    h.upstream.reset()
    const second = await h.submit({ intent: 'summarize', input: { text }, route: 'api' })
    const done = await h.cp.waitForEnd('default', second.task_id, 5000)
    expect(done.status).toBe('failed')
    // Both providers' circuits are open: the router found no engine to use.
    expect(done.error?.code).toMatch(/^AION_ROUTER_/)
    expect(h.upstream.requests).toHaveLength(0)
  })
})

describe('backpressure and drain', () => {
  it('answers QUEUE_FULL in O(1) when the queue is full, persisting nothing', async () => {
    h = await startHarness({
      settings: { queueCapacity: 1, workers: { local: 1, api: 1, hybrid: 1 } },
    })
    h.upstream.script({ hang: true })
    const running = await h.submit({ intent: 'summarize', input: { text }, route: 'api' })
    await until(() => h!.upstream.requests.length === 1)
    const waiting = await h.submit({ intent: 'summarize', input: { text }, route: 'api' })
    const before = await h.cp.platformEvents(0, 10_000)
    const tasksBefore = (await h.store.tasks.list('default', { limit: 100 })).items.length
    await expect(
      h.submit({ intent: 'summarize', input: { text }, route: 'api' }),
    ).rejects.toMatchObject({
      code: 'AION_CONTROL_QUEUE_FULL',
      kind: 'unavailable',
      retryable: true,
      fields: { retryAfterSeconds: expect.any(Number) },
    })
    expect(await h.cp.platformEvents(0, 10_000)).toHaveLength(before.length)
    expect((await h.store.tasks.list('default', { limit: 100 })).items).toHaveLength(tasksBefore)
    await h.cp.cancel(testActor, waiting.task_id)
    await h.cp.cancel(testActor, running.task_id)
    // A slot freed: admission works again.
    const after = await h.submit({ intent: 'summarize', input: { text }, route: 'api' })
    expect((await h.cp.waitForEnd('default', after.task_id, 5000)).status).toBe('succeeded')
  })

  it('drain refuses new work, stops what remains at the deadline, ends its stream', async () => {
    h = await startHarness()
    h.upstream.script({ hang: true })
    const queued = await h.submit({
      intent: 'summarize',
      input: { text },
      route: 'api',
      stream: true,
    })
    await until(() => h!.upstream.requests.length === 1)
    const events = (async () => {
      const out = []
      for await (const e of h!.cp.events('default', queued.task_id, 0)) out.push(e)
      return out
    })()
    await h.cp.drain(50)
    expect((await h.cp.readiness()).ready).toBe(false)
    await expect(h.submit({ intent: 'summarize', input: { text } })).rejects.toMatchObject({
      code: 'AION_CONTROL_DRAINING',
    })
    const ended = await h.cp.get('default', queued.task_id)
    expect(ended).toMatchObject({
      status: 'cancelled',
      error: { code: 'AION_CONTROL_DRAINING', retryable: true },
    })
    expect((await events).at(-1)).toMatchObject({ event: 'done' })
  })
})

describe('load', () => {
  it('runs bursts up to the queue capacity to the end, and the slots all come back', async () => {
    h = await startHarness({
      settings: { queueCapacity: 40, workers: { local: 2, api: 3, hybrid: 1 } },
    })
    for (let round = 0; round < 2; round++) {
      const submitted = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          h!.submit({ intent: 'summarize', input: { text }, route: i % 2 ? 'api' : 'local' }),
        ),
      )
      expect(new Set(submitted.map((t) => t.task_id)).size).toBe(40)
      const ended = await Promise.all(
        submitted.map((t) => h!.cp.waitForEnd('default', t.task_id, 20_000)),
      )
      expect(ended.map((e) => e.status)).toEqual(Array(40).fill('succeeded'))
    }
    const lifecycle = await h.cp.platformEvents(0, 10_000, 'aion.tasks.lifecycle')
    expect(lifecycle).toHaveLength(80 * 4)
  })
})

describe('budget', () => {
  it('a spent tenant budget blocks cloud calls before they go out, never the free local module', async () => {
    h = await startHarness({ dailyCapUsd: 0.000001 })
    const api = await h.submit({ intent: 'summarize', input: { text }, route: 'api' })
    const failed = await h.cp.waitForEnd('default', api.task_id, 5000)
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'AION_BUDGET_EXHAUSTED' } })
    expect(h.upstream.requests).toHaveLength(0)
    expect(h.budget.reservedUsd('default')).toBe(0)
    const local = await h.submit({ intent: 'summarize', input: { text }, route: 'local' })
    expect((await h.cp.waitForEnd('default', local.task_id, 5000)).status).toBe('succeeded')
  })
})

describe('recovery', () => {
  it('seeds the budget ledger with what each tenant spent today, so a restart keeps the cap', async () => {
    h = await startHarness({ dailyCapUsd: 0.5 })
    await h.store.usage.record({
      taskId: newTaskId(),
      provider: 'openai',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 0.5,
      durationMs: 1,
    })
    await h.store.usage.record({
      tenantId: 'tenant_b',
      taskId: newTaskId(),
      provider: 'openai',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 0.25,
      durationMs: 1,
    })
    const restarted = await h.restart()
    expect(h.budget.spentTodayUsd('default')).toBe(0.5)
    expect(h.budget.spentTodayUsd('tenant_b')).toBe(0.25)
    const api = await restarted.submit({
      actor: testActor,
      request: { intent: 'summarize', input: { text }, route: 'api' },
      traceId,
    })
    const done = await restarted.waitForEnd('default', api.task_id, 5000)
    expect(done.error?.code).toBe('AION_BUDGET_EXHAUSTED')
    expect(h.upstream.requests).toHaveLength(0)
  })

  it('in every tenant: fails tasks a crash left running (retryable), runs again the queued and routed ones', async () => {
    h = await startHarness()
    const request = { intent: 'summarize', input: { text }, route: 'local' }
    const statuses = ['queued', 'routed', 'running'] as const
    const ids: Record<string, Record<string, string>> = {}
    for (const tenantId of ['default', 'tenant_b']) {
      ids[tenantId] = {}
      for (const status of statuses) {
        const id = newTaskId()
        ids[tenantId][status] = id
        await h.store.tasks.create({
          task_id: id,
          tenant_id: tenantId,
          intent: 'summarize',
          request,
          status,
          trace_id: traceId,
          lease_owner: 'proc_dead',
          lease_expires_at: new Date(Date.now() + 60_000).toISOString(),
        })
      }
    }
    const restarted = await h.restart()
    for (const tenantId of ['default', 'tenant_b']) {
      const of = ids[tenantId] ?? {}
      expect(await restarted.get(tenantId, of.running ?? '')).toMatchObject({
        status: 'failed',
        error: { code: 'AION_TASK_INTERRUPTED', retryable: true },
      })
      for (const status of ['queued', 'routed'] as const) {
        const done = await restarted.waitForEnd(tenantId, of[status] ?? '', 5000)
        expect(done).toMatchObject({ status: 'succeeded', engine: { name: 'summarize_text' } })
        const stored = await h.store.tasks.get(tenantId, of[status] ?? '')
        expect(stored).toMatchObject({ attempt: 2, lease_owner: 'proc_test_1' })
      }
    }
  })
})

describe('scale-out', () => {
  it('a task another process took over while it waited for a slot is never run here, and its stream ends', async () => {
    h = await startHarness({ settings: { workers: { local: 1, api: 1, hybrid: 1 } } })
    h.upstream.script({ delayMs: 400, content: 'first' }, { content: 'second' })
    const request = { intent: 'answer', input: { question: 'Why?' }, route: 'api' as const }
    const first = await h.submit(request)
    await until(() => h!.upstream.requests.length === 1)
    const second = await h.submit(request)
    await until(
      async () => (await h!.store.tasks.get('default', second.task_id))?.status === 'routed',
    )
    const events: unknown[] = []
    const followed = (async () => {
      for await (const event of h!.cp.events('default', second.task_id, 0)) events.push(event)
    })()
    // Another control-plane process takes it over (this one's lease lapsed, say).
    const elsewhere = new TaskMachine({ store: h.store, owner: 'proc_elsewhere', leaseMs: 60_000 })
    const routed = (await h.store.tasks.get('default', second.task_id))!
    expect(await elsewhere.requeue(routed)).toMatchObject({ status: 'queued', attempt: 2 })

    expect((await h.cp.waitForEnd('default', first.task_id, 5000)).status).toBe('succeeded')
    const here = await h.cp.waitForEnd('default', second.task_id, 5000)
    expect(here.status).toBe('queued')
    expect(h.upstream.requests).toHaveLength(1)
    expect(await h.store.tasks.get('default', second.task_id)).toMatchObject({
      status: 'queued',
      lease_owner: 'proc_elsewhere',
    })
    // A follower that was here sees the stream end; later ones follow the store.
    await followed
    expect(events.at(-1)).toMatchObject({ event: 'error', error: { code: 'AION_TASK_MOVED' } })
  })
})
