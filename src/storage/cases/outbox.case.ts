import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import type { Store } from '../ports/store.js'
import { richTask } from './task.case.js'

const tenant = () => `t_${randomUUID()}`

/** Publishes whatever is pending, so a case sees only its own events. */
async function drain(store: Store): Promise<void> {
  for (;;) {
    const batch = await store.outbox.claimBatch({
      limit: 1000,
      now: new Date('2999-01-01T00:00:00.000Z'),
    })
    if (batch.length === 0) return
    await store.outbox.markPublished(batch.map((e) => e.id))
  }
}

/** Cases for `Store.transaction` and the `Outbox` port. */
export function outboxCases(store: () => Store): void {
  it('commits a state change and its outbox event together', async () => {
    const task = richTask(tenant())
    const event = await store().transaction(async (tx) => {
      await tx.tasks.create(task)
      return tx.outbox.enqueue({
        tenantId: task.tenant_id,
        topic: 'aion.tasks.lifecycle',
        key: task.task_id,
        payload: { task_id: task.task_id, status: 'queued', note: 'ünï' },
      })
    })
    expect(await store().tasks.get(task.tenant_id, task.task_id)).toBeDefined()
    expect(await store().outbox.pendingCount(task.tenant_id)).toBe(1)
    expect(event).toMatchObject({
      topic: 'aion.tasks.lifecycle',
      key: task.task_id,
      publishedAt: null,
    })
  })

  it('rolls back both the state change and the outbox event when the transaction throws', async () => {
    const task = richTask(tenant())
    const failure = new Error('boom after the writes')
    const run = store().transaction(async (tx) => {
      await tx.tasks.create(task)
      await tx.outbox.enqueue({
        tenantId: task.tenant_id,
        topic: 'aion.tasks.lifecycle',
        payload: { x: 1 },
      })
      await tx.registries.append({
        tenantId: task.tenant_id,
        contentHash: 'h',
        sources: {},
        createdBy: 'tx',
      })
      throw failure
    })
    await expect(run).rejects.toBe(failure)
    expect(await store().tasks.get(task.tenant_id, task.task_id)).toBeUndefined()
    expect(await store().outbox.pendingCount(task.tenant_id)).toBe(0)
    expect(await store().registries.latest(task.tenant_id)).toBeUndefined()
  })

  it('claims events in id order, leases them, and never re-claims published ones', async () => {
    await drain(store())
    const tenantId = tenant()
    const enqueued = []
    for (const n of [1, 2, 3]) {
      enqueued.push(
        await store().outbox.enqueue({
          tenantId,
          topic: 'aion.audit',
          key: `k${n}`,
          payload: { n },
        }),
      )
    }
    expect(enqueued[0]!.id).toBeLessThan(enqueued[1]!.id)
    expect(enqueued[1]!.id).toBeLessThan(enqueued[2]!.id)
    const now = new Date()
    const claimed = await store().outbox.claimBatch({ limit: 10, leaseMs: 60_000, now })
    expect(claimed.map((e) => e.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect(claimed).toStrictEqual(enqueued)
    expect(await store().outbox.claimBatch({ now })).toEqual([])
    const afterLease = await store().outbox.claimBatch({
      limit: 2,
      now: new Date(now.getTime() + 61_000),
    })
    expect(afterLease.map((e) => e.key)).toEqual(['k1', 'k2'])
    expect(await store().outbox.markPublished([enqueued[0]!.id, enqueued[1]!.id])).toBe(2)
    expect(await store().outbox.pendingCount(tenantId)).toBe(1)
    const rest = await store().outbox.claimBatch({ now: new Date(now.getTime() + 200_000) })
    expect(rest.map((e) => e.key)).toEqual(['k3'])
  })

  it("gives back only the owner's unpublished claims, for the next claim to take at once", async () => {
    await drain(store())
    const tenantId = tenant()
    const events = []
    for (const n of [1, 2, 3]) {
      events.push(await store().outbox.enqueue({ tenantId, topic: 'aion.audit', payload: { n } }))
    }
    const ids = events.map((e) => e.id)
    const now = new Date()
    const mine = await store().outbox.claimBatch({ limit: 2, now, owner: 'relay-a' })
    const theirs = await store().outbox.claimBatch({ limit: 10, now, owner: 'relay-b' })
    expect(mine.map((e) => e.id)).toEqual(ids.slice(0, 2))
    expect(theirs.map((e) => e.id)).toEqual(ids.slice(2))
    await store().outbox.markPublished([ids[1]!])
    // Only event 1 is still relay-a's and unpublished; relay-b's stays leased.
    expect(await store().outbox.release(ids, 'relay-a')).toBe(1)
    expect(await store().outbox.release([], 'relay-a')).toBe(0)
    const again = await store().outbox.claimBatch({ now, owner: 'relay-c' })
    expect(again.map((e) => e.id)).toEqual([ids[0]])
  })

  it('never hands one event to two claims that run at once', async () => {
    await drain(store())
    const tenantId = tenant()
    await store().outbox.append(
      Array.from({ length: 60 }, (_, n) => ({ tenantId, topic: 'aion.audit', payload: { n } })),
    )
    const now = new Date()
    const claims = await Promise.all(
      ['a', 'b', 'c', 'd'].map((owner) => store().outbox.claimBatch({ limit: 25, now, owner })),
    )
    const ids = claims.flat().map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBe(60)
  })

  it('purges published events older than the cut-off, bounded, never pending ones', async () => {
    await drain(store())
    const tenantId = tenant()
    const events = []
    for (const n of [1, 2, 3, 4]) {
      events.push(await store().outbox.enqueue({ tenantId, topic: 'aion.audit', payload: { n } }))
    }
    const [e1, e2, e3] = events.map((e) => e.id)
    await store().outbox.markPublished([e1!], '2000-01-01T00:00:00.000Z')
    await store().outbox.markPublished([e2!], '2000-01-02T00:00:00.000Z')
    await store().outbox.markPublished([e3!], '2999-01-01T00:00:00.000Z')
    expect(await store().outbox.purgePublished('2000-06-01T00:00:00.000Z', 1)).toBe(1)
    let left = await store().outbox.list(e1! - 1, 10, undefined, tenantId)
    expect(left.map((e) => e.payload)).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }])
    expect(await store().outbox.purgePublished('2000-06-01T00:00:00.000Z', 100)).toBe(1)
    left = await store().outbox.list(e1! - 1, 10, undefined, tenantId)
    expect(left.map((e) => e.payload)).toEqual([{ n: 3 }, { n: 4 }])
    expect(await store().outbox.pendingCount(tenantId)).toBe(1)
  })

  it('lists events after an id, oldest first, bounded, of one topic when asked', async () => {
    const tenantId = tenant()
    const topicA = `aion.test.a.${tenantId}`
    const topicB = `aion.test.b.${tenantId}`
    const first = await store().outbox.enqueue({ tenantId, topic: topicA, payload: { n: 1 } })
    await store().outbox.enqueue({ tenantId, topic: topicB, key: 'kb', payload: { n: 2 } })
    await store().outbox.enqueue({ tenantId, topic: topicA, payload: { n: 3 } })
    await store().outbox.markPublished([first.id])

    const all = await store().outbox.list(first.id - 1, 10)
    expect(all.slice(0, 3).map((e) => e.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect(all[0]!.publishedAt).not.toBeNull()
    expect(all[1]).toMatchObject({ topic: topicB, key: 'kb', tenantId })
    expect((await store().outbox.list(first.id, 10)).map((e) => e.payload)).toEqual([
      { n: 2 },
      { n: 3 },
    ])
    expect((await store().outbox.list(first.id - 1, 2)).map((e) => e.payload)).toEqual([
      { n: 1 },
      { n: 2 },
    ])
    const onlyA = await store().outbox.list(0, 100, topicA)
    expect(onlyA.map((e) => e.payload)).toEqual([{ n: 1 }, { n: 3 }])
  })

  it("lists one tenant's events only when a tenant is given, with or without a topic", async () => {
    const mine = tenant()
    const theirs = tenant()
    const topic = `aion.test.tenants.${mine}`
    const first = await store().outbox.enqueue({ tenantId: mine, topic, payload: { n: 1 } })
    await store().outbox.enqueue({ tenantId: theirs, topic, payload: { n: 2 } })
    await store().outbox.enqueue({ tenantId: mine, topic: `${topic}.other`, payload: { n: 3 } })
    await store().outbox.enqueue({ tenantId: theirs, topic, payload: { n: 4 } })

    const after = first.id - 1
    const onlyMine = await store().outbox.list(after, 100, undefined, mine)
    expect(onlyMine.map((e) => e.payload)).toEqual([{ n: 1 }, { n: 3 }])
    expect(onlyMine.every((e) => e.tenantId === mine)).toBe(true)
    const mineOfTopic = await store().outbox.list(after, 100, topic, mine)
    expect(mineOfTopic.map((e) => e.payload)).toEqual([{ n: 1 }])
    // The limit counts the tenant's events, not everyone's.
    expect((await store().outbox.list(after, 1, undefined, theirs)).map((e) => e.payload)).toEqual([
      { n: 2 },
    ])
    expect(await store().outbox.list(after, 100, undefined, tenant())).toEqual([])
    // No tenant: everyone's, as before.
    expect((await store().outbox.list(after, 100, topic)).map((e) => e.payload)).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 4 },
    ])
  })

  it('appends many events in order in one call, more than one statement holds', async () => {
    const tenantId = tenant()
    const topic = `aion.test.append.${tenantId}`
    const before = await store().outbox.list(0, 1)
    const events = Array.from({ length: 230 }, (_, n) => ({
      tenantId,
      topic,
      key: `k${n}`,
      payload: { n },
    }))
    await store().transaction((tx) => tx.outbox.append(events))
    await store().outbox.append([])
    const listed = await store().outbox.list(before[0] ? before[0].id - 1 : 0, 100_000, topic)
    expect(listed.map((e) => e.payload)).toEqual(events.map((e) => e.payload))
    expect(listed.map((e) => e.key)).toEqual(events.map((e) => e.key))
    expect(listed.every((e, i) => i === 0 || e.id > listed[i - 1]!.id)).toBe(true)
    expect(listed.every((e) => e.publishedAt === null && e.tenantId === tenantId)).toBe(true)
  })

  it('rolls appended events back with the transaction', async () => {
    const tenantId = tenant()
    const failing = store().transaction(async (tx) => {
      await tx.outbox.append([{ tenantId, topic: 'aion.test.rollback', payload: { n: 1 } }])
      throw new Error('abort the transaction')
    })
    await expect(failing).rejects.toThrow('abort the transaction')
    expect(await store().outbox.pendingCount(tenantId)).toBe(0)
  })
}
