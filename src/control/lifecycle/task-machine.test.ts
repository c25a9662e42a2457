/** The task state machine on a real SQLite store: paths, guards and illegal requests. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import type { AionError } from '../../core/errors/index.js'
import {
  TaskCancelledError,
  TaskTransitionIllegalError,
  statusOfKind,
} from '../../core/errors/index.js'
import { groupCommit, openStore, type Store, type TaskRecord } from '../../storage/index.js'
import { topics } from './platform-topics.js'
import { TaskMachine } from './task-machine.js'
import { legalFrom, walk } from './transition-table.js'

const decision = {
  route: 'local',
  engine: { kind: 'module', name: 'summarize_text', version: '1.3.0' },
  tier: 'tier0',
  reasons: ['test'],
} as unknown as RoutingDecision

let dir: string
let store: Store
let machine: TaskMachine
let n = 0

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aion-machine-unit-'))
  store = await openStore({ dataDir: dir })
  await store.migrate()
  machine = new TaskMachine({ store, owner: 'proc_me', leaseMs: 60_000 })
})
afterAll(async () => {
  await store?.close()
  rmSync(dir, { recursive: true, force: true })
})

function admit(start?: RoutingDecision): Promise<TaskRecord> {
  const task = {
    task_id: `tsk_unit_${++n}`,
    tenant_id: 'default',
    intent: 'summarize',
    request: {},
    created_at: new Date().toISOString(),
  }
  return groupCommit(store).run((tx, rows) => machine.admit(tx, rows, task, start))
}

/** The task's log: lifecycle statuses, and `decision` where the decision event sits. */
async function logOf(taskId: string): Promise<string[]> {
  const events = await store.outbox.list(0, 10_000)
  return events
    .filter((e) => e.key === taskId && e.topic !== topics.metrics)
    .map((e) =>
      e.topic === topics.decisions ? 'decision' : (e.payload as { status: string }).status,
    )
}

const cancelled = (taskId: string) => {
  const reason = new TaskCancelledError({ taskId })
  return [reason, { code: reason.code, message: reason.message, retryable: false }] as const
}

describe('the transition table', () => {
  it('allows each path it draws and nothing else', () => {
    expect(walk('new', ['admit', 'route', 'start'], 'running')).toEqual([
      'queued',
      'routed',
      'running',
    ])
    expect(walk('queued', ['finish'], 'succeeded')).toBeUndefined()
    expect(walk('running', ['requeue'], 'queued')).toBeUndefined()
    expect(walk('succeeded', ['cancel'], 'cancelled')).toBeUndefined()
    expect(legalFrom(['interrupt'], 'failed')).toEqual(['running'])
    expect(legalFrom(['requeue'], 'queued')).toEqual(['queued', 'routed'])
  })
})

describe('TaskMachine', () => {
  it('logs the same story on every path: queued, routed, decision, running, end', async () => {
    const fast = await admit(decision)
    const slotFree = await machine.start(await admit(), decision)
    const waited = await machine.start((await machine.route(await admit(), decision))!, decision)
    for (const running of [fast, slotFree, waited]) {
      expect(running).toMatchObject({ status: 'running', route: 'local', attempt: 1 })
      const ended = await machine.finish(running!, { status: 'succeeded' })
      expect(ended?.status).toBe('succeeded')
      expect(await logOf(running!.task_id)).toEqual([
        'queued',
        'routed',
        'decision',
        'running',
        'succeeded',
      ])
    }
  })

  it('throws AION_TASK_TRANSITION_ILLEGAL (internal, 500) for a request outside the table, writing nothing', async () => {
    const queued = await admit()
    let thrown: unknown
    try {
      await machine.finish(queued, { status: 'succeeded' })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(TaskTransitionIllegalError)
    expect((thrown as AionError).code).toBe('AION_TASK_TRANSITION_ILLEGAL')
    expect(statusOfKind((thrown as AionError).kind).http).toBe(500)
    expect(await store.tasks.get('default', queued.task_id)).toEqual(queued)
    expect(await logOf(queued.task_id)).toEqual(['queued'])
    await expect(machine.interrupt(queued)).rejects.toBeInstanceOf(TaskTransitionIllegalError)
  })

  it('ends a task once: a second writer finds it ended and writes nothing', async () => {
    const running = (await admit(decision))!
    const [reason, error] = cancelled(running.task_id)
    const key = { tenantId: 'default', taskId: running.task_id }
    const [byKey, byRunner] = await Promise.all([
      machine.stop(key, reason, error),
      machine.finish(running, { status: 'succeeded' }),
    ])
    expect([byKey, byRunner].filter((r) => r !== undefined)).toHaveLength(1)
    const log = await logOf(running.task_id)
    expect(log.filter((s) => ['succeeded', 'cancelled'].includes(s))).toHaveLength(1)
    expect(await machine.stop(key, reason, error)).toBeUndefined()
  })

  it('refuses to write a task whose lease another process took, and requeues as a new attempt', async () => {
    const queued = await admit()
    const other = new TaskMachine({ store, owner: 'proc_other', leaseMs: 60_000 })
    const requeued = await other.requeue(queued)
    expect(requeued).toMatchObject({ status: 'queued', attempt: 2, lease_owner: 'proc_other' })
    expect(await machine.route(queued, decision)).toBeUndefined()
    expect(await other.route(requeued!, decision)).toMatchObject({ status: 'routed' })
    expect(await logOf(queued.task_id)).toEqual(['queued', 'queued', 'routed', 'decision'])
  })
})
