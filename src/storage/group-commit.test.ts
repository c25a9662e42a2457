import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StoreConflictError } from '../core/errors/index.js'
import { groupCommit } from './group-commit.js'
import { openStore } from './open-store.js'
import type { Store } from './ports/store.js'

let store: Store
const dir = mkdtempSync(join(tmpdir(), 'aion-group-'))
beforeAll(async () => {
  store = await openStore({ dataDir: dir })
  await store.migrate()
})
afterAll(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

const task = (id: string) => ({ task_id: id, intent: 'summarize', request: { n: id } })

describe('groupCommit', () => {
  it('runs the units of one turn in one transaction, in arrival order', async () => {
    const group = groupCommit(store)
    expect(groupCommit(store)).toBe(group)
    const order: string[] = []
    const results = await Promise.all(
      ['g1', 'g2', 'g3'].map((id) =>
        group.run(async (tx) => {
          order.push(id)
          return (await tx.tasks.create(task(id))).task_id
        }),
      ),
    )
    expect(results).toEqual(['g1', 'g2', 'g3'])
    expect(order).toEqual(['g1', 'g2', 'g3'])
    expect(await store.tasks.get('default', 'g2')).toMatchObject({
      task_id: 'g2',
      status: 'queued',
    })
  })

  it('fails only the faulty unit when the shared transaction fails', async () => {
    const group = groupCommit(store)
    await store.tasks.create(task('taken'))
    const outcomes = await Promise.allSettled([
      group.run((tx) => tx.tasks.create(task('ok-1'))),
      group.run((tx) => tx.tasks.create(task('taken'))),
      group.run((tx) => tx.tasks.create(task('ok-2'))),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreConflictError)
    expect(await store.tasks.get('default', 'ok-1')).toBeDefined()
    expect(await store.tasks.get('default', 'ok-2')).toBeDefined()
  })

  it("commits the units' events once, in arrival order, and none of a failed unit", async () => {
    const group = groupCommit(store)
    const topic = 'aion.test.group'
    await store.tasks.create(task('ev-taken'))
    const unit = (id: string) =>
      group.run(async (tx, rows) => {
        rows.event({ topic, key: id, payload: { id, n: 1 } })
        await tx.tasks.create(task(id))
        rows.usage({
          taskId: id,
          module: 'm',
          inputTokens: 1,
          outputTokens: 2,
          costUsd: 0,
          durationMs: 3,
        })
        rows.audit({ actor: 'test', action: 'group.test', target: id, outcome: 'success' })
        rows.event({ topic, key: id, payload: { id, n: 2 } })
      })
    const outcomes = await Promise.allSettled([unit('ev-1'), unit('ev-taken'), unit('ev-2')])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const listed = await store.outbox.list(0, 1000, topic)
    expect(listed.map((e) => e.payload)).toEqual([
      { id: 'ev-1', n: 1 },
      { id: 'ev-1', n: 2 },
      { id: 'ev-2', n: 1 },
      { id: 'ev-2', n: 2 },
    ])
    for (const id of ['ev-1', 'ev-2']) {
      expect(await store.usage.listByTask('default', id)).toMatchObject([
        { taskId: id, module: 'm', inputTokens: 1, outputTokens: 2, durationMs: 3 },
      ])
    }
    expect(await store.usage.listByTask('default', 'ev-taken')).toEqual([])
    const audit = await store.audit.list('default', { action: 'group.test' })
    expect(audit.map((a) => a.target)).toEqual(['ev-1', 'ev-2'])
  })
})
