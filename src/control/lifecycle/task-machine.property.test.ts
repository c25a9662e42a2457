/**
 * Property test of the task state machine against a real SQLite store.
 *
 * Each case is one tenant with one to three tasks and a random interleaving
 * of what can happen to them: submit (queued, or started within the
 * submission), route, start, success, provider failure (both metered),
 * cancel (by the running process, or by another one that knows only the
 * task's id), deadline, a process crash (everything this process held in
 * memory is lost; its leases stay in the store) and recovery by the next
 * process. Some steps race two commands at once (e.g. a cancel from another
 * process against the runner's finish). Every command goes through the
 * machine and its group commit into the store; a command the table does not
 * allow from the status the caller holds must throw
 * AION_TASK_TRANSITION_ILLEGAL and write nothing.
 *
 * After each case, for each task: the event log holds only transitions of
 * the table, at most one terminal status and only as its last; replaying
 * the log gives the stored status; the attempt is one plus the requeues in
 * the log; usage rows exist only for a task that ended.
 *
 * 10k cases in CI (the CI variable set), 500 locally. The store is one file
 * for the whole run (each case its own tenant), which keeps a case at a few
 * milliseconds: the cost is the store's transactions, not opening it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import type { AionError } from '../../core/errors/index.js'
import {
  TaskCancelledError,
  TaskTimedOutError,
  ProviderUnavailableError,
} from '../../core/errors/index.js'
import { groupCommit, openStore, type Store, type TaskRecord } from '../../storage/index.js'
import { topics } from './platform-topics.js'
import { TaskMachine } from './task-machine.js'
import { recoverTasks } from './task-recovery.js'
import { transitionTable, walk, type TaskEvent } from './transition-table.js'

const numRuns = process.env.CI ? 10_000 : 500

type Command =
  | { readonly op: 'submit'; readonly task: number; readonly fast: boolean }
  | {
      readonly op: 'route' | 'start' | 'succeed' | 'fail' | 'cancel' | 'deadline'
      readonly task: number
    }
  | { readonly op: 'cancel_elsewhere'; readonly task: number }
  | { readonly op: 'crash' | 'recover' }
  | { readonly op: 'race'; readonly a: Command; readonly b: Command }

const taskArb = fc.integer({ min: 0, max: 2 })
const single: fc.Arbitrary<Command> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constant('submit' as const), task: taskArb, fast: fc.boolean() }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      op: fc.constantFrom(
        'route',
        'start',
        'succeed',
        'fail',
        'cancel',
        'deadline',
      ) as fc.Arbitrary<'route' | 'start' | 'succeed' | 'fail' | 'cancel' | 'deadline'>,
      task: taskArb,
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({ op: fc.constant('cancel_elsewhere' as const), task: taskArb }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      op: fc.constantFrom('crash', 'recover') as fc.Arbitrary<'crash' | 'recover'>,
    }),
    weight: 2,
  },
)
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: single, weight: 8 },
  { arbitrary: fc.record({ op: fc.constant('race' as const), a: single, b: single }), weight: 1 },
)

const decision = {
  route: 'local',
  engine: { kind: 'module', name: 'summarize_text', version: '1.3.0' },
  tier: 'tier0',
  reasons: ['test'],
} as unknown as RoutingDecision

const terminal = new Set(['succeeded', 'failed', 'cancelled', 'timed_out'])

/** One process: its machine and the records it holds in memory (as a runner's context does). */
interface Process {
  machine: TaskMachine
  held: Map<number, TaskRecord>
}

interface Tally {
  illegal: number
  applied: number
  ended: number
  requeued: number
}

describe('task state machine (property, real SQLite store)', () => {
  let dir: string
  let store: Store
  let processes = 0

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aion-machine-'))
    store = await openStore({ dataDir: dir })
    await store.migrate()
  })
  afterAll(async () => {
    await store?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const newProcess = (): Process => ({
    machine: new TaskMachine({ store, owner: `proc_${++processes}`, leaseMs: 60_000 }),
    held: new Map(),
  })

  /** What the machine must allow for a command on a held record (undefined: not a transition). */
  function expectedPath(
    record: TaskRecord,
    cmd: Command,
  ): { steps: TaskEvent[]; to: string } | undefined {
    switch (cmd.op) {
      case 'route':
        return { steps: ['route'], to: 'routed' }
      case 'start':
        return record.status === 'queued'
          ? { steps: ['route', 'start'], to: 'running' }
          : { steps: ['start'], to: 'running' }
      case 'succeed':
        return { steps: ['finish'], to: 'succeeded' }
      case 'fail':
        return { steps: ['finish'], to: 'failed' }
      case 'cancel':
        return { steps: ['cancel'], to: 'cancelled' }
      case 'deadline':
        return { steps: ['time_out'], to: 'timed_out' }
      default:
        return undefined
    }
  }

  async function run(
    tenantId: string,
    proc: { current: Process },
    cmd: Command,
    tally: Tally,
    racing = false,
  ): Promise<void> {
    const p = proc.current
    const id = (task: number) => `tsk_${tenantId}_${task}`
    switch (cmd.op) {
      case 'race':
        await Promise.all([
          run(tenantId, proc, cmd.a, tally, true),
          run(tenantId, proc, cmd.b, tally, true),
        ])
        return
      case 'crash':
        proc.current = newProcess()
        return
      case 'recover': {
        const report = await recoverTasks(store, p.machine, { exclusive: true })
        for (const record of report.requeue) {
          if (record.tenant_id !== tenantId) continue
          tally.requeued++
          p.held.set(Number(record.task_id.slice(record.task_id.lastIndexOf('_') + 1)), record)
        }
        return
      }
      case 'submit': {
        if (p.held.has(cmd.task) || (await store.tasks.get(tenantId, id(cmd.task)))) return
        const now = new Date().toISOString()
        const admitted = groupCommit(store).run((tx, rows) =>
          p.machine.admit(
            tx,
            rows,
            {
              task_id: id(cmd.task),
              tenant_id: tenantId,
              intent: 'summarize',
              request: {},
              created_at: now,
            },
            cmd.fast ? decision : undefined,
          ),
        )
        // Two racing submits of one id: the store lets one in.
        const record = await admitted.catch((e: unknown) => {
          if ((e as AionError).code === 'AION_STORE_CONFLICT' && racing) return undefined
          throw e
        })
        if (!record) return
        p.held.set(cmd.task, record)
        tally.applied++
        return
      }
      case 'cancel_elsewhere': {
        // Another process knows only the id (its cancel reads nothing this one holds).
        const key = { tenantId, taskId: id(cmd.task) }
        const error = { code: 'AION_TASK_CANCELLED', message: 'cancelled', retryable: false }
        if (await p.machine.stop(key, new TaskCancelledError({ taskId: key.taskId }), error))
          tally.ended++
        return
      }
    }
    const held = p.held.get(cmd.task)
    if (!held) return
    const path = expectedPath(held, cmd)
    const legal =
      path !== undefined && walk(held.status, path.steps, path.to as never) !== undefined
    const usage = [
      {
        tenantId,
        taskId: held.task_id,
        inputTokens: 1,
        outputTokens: 1,
        costUsd: 0.001,
        durationMs: 1,
      },
    ]
    const error = (e: AionError) => ({ code: e.code, message: e.message, retryable: e.retryable })
    let result: TaskRecord | undefined
    try {
      switch (cmd.op) {
        case 'route':
          result = await p.machine.route(held, decision)
          break
        case 'start':
          result = await p.machine.start(held, decision)
          break
        case 'succeed':
          result = await p.machine.finish(held, {
            status: 'succeeded',
            fields: { output: { ok: true } },
            usage,
          })
          break
        case 'fail': {
          const failure = new ProviderUnavailableError({ provider: 'openai', reason: 'down' })
          result = await p.machine.finish(held, {
            status: 'failed',
            fields: { error: error(failure) },
            usage,
          })
          break
        }
        case 'cancel': {
          const reason = new TaskCancelledError({ taskId: held.task_id })
          result = await p.machine.stop(held, reason, error(reason))
          break
        }
        case 'deadline': {
          const reason = new TaskTimedOutError({ taskId: held.task_id, timeoutMs: 1 })
          result = await p.machine.stop(held, reason, error(reason), { usage })
          break
        }
      }
    } catch (thrown) {
      expect(legal).toBe(false)
      expect((thrown as AionError).code).toBe('AION_TASK_TRANSITION_ILLEGAL')
      tally.illegal++
      return
    }
    expect(legal).toBe(true)
    if (result) {
      tally.applied++
      if (terminal.has(result.status)) tally.ended++
      // What the machine answers is what the store holds (unless a racing command changed it since).
      if (!racing) expect(result).toEqual(await store.tasks.get(tenantId, held.task_id))
      p.held.set(cmd.task, result)
    } else {
      // Another writer changed it first (a cancel elsewhere, a recovery): the store's is the truth.
      const stored = await store.tasks.get(tenantId, held.task_id)
      if (stored && stored.lease_owner === p.machine.owner) p.held.set(cmd.task, stored)
      else p.held.delete(cmd.task)
    }
  }

  /** Every event the table allows from `from`, and where it leads. */
  const legalSteps = (from: string) =>
    Object.values(transitionTable).flatMap(
      (row) => (row as Record<string, readonly string[]>)[from] ?? [],
    )

  async function check(tenantId: string, afterId: number): Promise<number> {
    let lastId = afterId
    const log = new Map<string, string[]>()
    for (;;) {
      const page = await store.outbox.list(lastId, 1000, topics.lifecycle)
      if (page.length === 0) break
      lastId = page.at(-1)?.id ?? lastId
      for (const event of page) {
        if (event.tenantId !== tenantId) continue
        const { task_id, status } = event.payload as { task_id: string; status: string }
        log.set(task_id, [...(log.get(task_id) ?? []), status])
      }
    }
    const stored = await store.tasks.list(tenantId, { limit: 10 })
    expect([...log.keys()].sort()).toEqual(stored.items.map((t) => t.task_id).sort())
    for (const task of stored.items) {
      const statuses = log.get(task.task_id) ?? []
      let at = 'new'
      let requeues = 0
      for (const status of statuses) {
        expect(legalSteps(at), `${task.task_id}: ${statuses.join(' → ')}`).toContain(status)
        if (status === 'queued' && at !== 'new') requeues++
        at = status
      }
      expect(at).toBe(task.status)
      const ends = statuses.filter((s) => terminal.has(s))
      expect(ends.length).toBe(terminal.has(task.status) ? 1 : 0)
      expect(task.attempt).toBe(1 + requeues)
      const usage = await store.usage.listByTask(tenantId, task.task_id)
      if (!terminal.has(task.status)) expect(usage).toEqual([])
    }
    return lastId
  }

  it(
    `keeps one end per task, legal logs that replay to the stored state, usage only with an end (${numRuns} cases)`,
    async () => {
      const tally: Tally = { illegal: 0, applied: 0, ended: 0, requeued: 0 }
      let cursor = 0
      let cases = 0
      await fc.assert(
        fc.asyncProperty(
          fc.array(commandArb, { minLength: 1, maxLength: 14 }),
          async (commands) => {
            const tenantId = `t${++cases}`
            const proc = { current: newProcess() }
            for (const cmd of commands) await run(tenantId, proc, cmd, tally)
            cursor = await check(tenantId, cursor)
            // Not part of the property: end what is left, so later recoveries see only their case.
            for (const task of (await store.tasks.list(tenantId)).items) {
              if (terminal.has(task.status)) continue
              const error = { code: 'AION_TASK_CANCELLED', message: 'cleanup', retryable: false }
              await proc.current.machine.stop({ tenantId, taskId: task.task_id }, undefined, error)
            }
          },
        ),
        { numRuns },
      )
      // The generators reach every kind of outcome, not only the easy ones.
      expect(tally.illegal).toBeGreaterThan(numRuns / 20)
      expect(tally.ended).toBeGreaterThan(numRuns / 5)
      expect(tally.requeued).toBeGreaterThan(numRuns / 200)
    },
    numRuns * 20 + 60_000,
  )
})
