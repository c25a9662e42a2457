/**
 * The task state machine: the only writer of a task's status, attempt, lease
 * and lifecycle events. Everything else asks it for a transition of the
 * table (transition-table.ts); a transition the table has not is a
 * programming error (AION_TASK_TRANSITION_ILLEGAL).
 *
 * Each change updates the row only while it is still in the status the
 * caller last saw (so two writers cannot both end a task) and, for a task
 * this process holds, only while its lease is still this process's; the
 * events of every step commit in the same transaction. A change that passes
 * through statuses (admit+route+start in one submission, route+start when a
 * worker slot is free at once) is one write that still logs every step, so
 * every path tells the same story: queued, routed, decision, running, end.
 *
 * Changes commit in groups (see `groupCommit`): under load one transaction
 * carries many tasks' changes instead of one commit each.
 */
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import {
  TaskInterruptedError,
  TaskTimedOutError,
  TaskTransitionIllegalError,
} from '../../core/errors/index.js'
import { isTerminalStatus } from '../../core/task-status.js'
import {
  groupCommit,
  type NewOutboxEvent,
  type NewTask,
  type NewUsage,
  type PendingRows,
  type Store,
  type StoreTx,
  type TaskError,
  type TaskPatch,
  type TaskRecord,
  type TaskStatus,
} from '../../storage/index.js'
import { decisionEvent, lifecycleEvent } from './platform-topics.js'
import { applyTaskPatch, decisionFields, type TaskFields } from './task-fields.js'
import { legalFrom, walk, type TaskEvent, type TransitionFrom } from './transition-table.js'

export { engineOf, type TaskFields } from './task-fields.js'

/** A task known only by its ids (the caller holds no record of it). */
export interface TaskKey {
  readonly tenantId: string
  readonly taskId: string
}

/** A new task as the submission admits it. */
export type AdmitInput = Omit<
  NewTask,
  'status' | 'attempt' | 'lease_owner' | 'lease_expires_at' | 'route' | 'engine' | 'decision'
> & { readonly tenant_id: string; readonly created_at: string }

/** How a task ends at its engine. */
export interface Outcome {
  readonly status: 'succeeded' | 'failed'
  readonly fields?: TaskFields
  /** Events after the lifecycle event (the executions' metrics). */
  readonly events?: readonly NewOutboxEvent[]
  readonly usage?: readonly NewUsage[]
}

export interface TaskMachineOptions {
  readonly store: Store
  /** Who holds the leases of the tasks this machine admits or takes over (a process instance). */
  readonly owner: string
  /** How long a lease holds unrenewed. */
  readonly leaseMs: number
  /** Clock, for tests. @default Date.now */
  readonly nowMs?: () => number
}

interface Change {
  readonly steps: readonly TaskEvent[]
  readonly to: TaskStatus
  readonly fields?: TaskFields
  /** Written with the change (route, engine, decision) and logged after the `route` step. */
  readonly decision?: RoutingDecision
  readonly events?: readonly NewOutboxEvent[]
  readonly usage?: readonly NewUsage[]
  readonly attempt?: number
  /** Take the lease (recovery), guarded on the holder the caller saw. */
  readonly takeLease?: boolean
}

/** The one writer of task state; one per process (its `owner`). */
export class TaskMachine {
  readonly owner: string
  readonly #store: Store
  readonly #leaseMs: number
  readonly #nowMs: () => number

  constructor(options: TaskMachineOptions) {
    this.#store = options.store
    this.owner = options.owner
    this.#leaseMs = options.leaseMs
    this.#nowMs = options.nowMs ?? Date.now
  }

  /**
   * Creates the task inside the caller's group-commit unit (the submission
   * writes its audit entry beside it): `queued`, or with `start`, `running`
   * with the decision — admit, route and start as one write, logged as three.
   */
  async admit(
    tx: StoreTx,
    rows: PendingRows,
    task: AdmitInput,
    start?: RoutingDecision,
  ): Promise<TaskRecord> {
    const steps: TaskEvent[] = start ? ['admit', 'route', 'start'] : ['admit']
    const to = start ? 'running' : 'queued'
    const visited = this.#walk(task.task_id, 'new', steps, to)
    const record = await tx.tasks.create({
      ...task,
      ...(start ? decisionFields(start) : {}),
      status: to,
      attempt: 1,
      lease_owner: this.owner,
      lease_expires_at: this.#leaseUntil(),
    })
    this.#log(rows, record, steps, visited, start)
    return record
  }

  /** queued → routed, with the decision. */
  route(current: TaskRecord, decision: RoutingDecision): Promise<TaskRecord | undefined> {
    return this.#apply(current, { steps: ['route'], to: 'routed', decision })
  }

  /** routed → running; from queued, route and start as one write, logged as two. */
  start(current: TaskRecord, decision: RoutingDecision): Promise<TaskRecord | undefined> {
    return current.status === 'queued'
      ? this.#apply(current, { steps: ['route', 'start'], to: 'running', decision })
      : this.#apply(current, { steps: ['start'], to: 'running' })
  }

  /** The task's end at its engine (or a failure before one ran). */
  finish(current: TaskRecord, outcome: Outcome): Promise<TaskRecord | undefined> {
    return this.#apply(current, {
      steps: ['finish'],
      to: outcome.status,
      ...(outcome.fields ? { fields: outcome.fields } : {}),
      ...(outcome.events ? { events: outcome.events } : {}),
      ...(outcome.usage ? { usage: outcome.usage } : {}),
    })
  }

  /**
   * Stops an unfinished task: `timed_out` when `reason` is its deadline,
   * else `cancelled`. Usage of engine calls already made is metered with it.
   */
  stop(
    target: TaskRecord | TaskKey,
    reason: unknown,
    error: TaskError,
    extra: Omit<Outcome, 'status'> = {},
  ): Promise<TaskRecord | undefined> {
    const timedOut = reason instanceof TaskTimedOutError
    return this.#apply(target, {
      steps: [timedOut ? 'time_out' : 'cancel'],
      to: timedOut ? 'timed_out' : 'cancelled',
      fields: { ...extra.fields, error },
      ...(extra.events ? { events: extra.events } : {}),
      ...(extra.usage ? { usage: extra.usage } : {}),
    })
  }

  /** Recovery: a task whose engine call had started under a process now gone fails, retryable. */
  interrupt(orphan: TaskRecord): Promise<TaskRecord | undefined> {
    const error = new TaskInterruptedError({ taskId: orphan.task_id, status: orphan.status })
    return this.#apply(orphan, {
      steps: ['interrupt'],
      to: 'failed',
      fields: { error: { code: error.code, message: error.message, retryable: error.retryable } },
      takeLease: true,
    })
  }

  /**
   * Recovery: a task that never reached an engine under a process now gone
   * is queued again, as a new attempt held by this process; its old decision
   * is dropped (the registries may have changed).
   */
  requeue(orphan: TaskRecord): Promise<TaskRecord | undefined> {
    return this.#apply(orphan, {
      steps: ['requeue'],
      to: 'queued',
      fields: { route: null, engine: null, decision: null },
      attempt: orphan.attempt + 1,
      takeLease: true,
    })
  }

  /** Extends the leases this process holds; returns how many. */
  renewLeases(): Promise<number> {
    return this.#store.tasks.renewLeases(this.owner, this.#leaseUntil())
  }

  #leaseUntil(): string {
    return new Date(this.#nowMs() + this.#leaseMs).toISOString()
  }

  #walk(taskId: string, from: TransitionFrom, steps: readonly TaskEvent[], to: TaskStatus) {
    const visited = walk(from, steps, to)
    if (visited === undefined) {
      throw new TaskTransitionIllegalError({ taskId, from, event: `${steps.join('+')} → ${to}` })
    }
    return visited
  }

  /**
   * Applies `change` to a task the caller holds (its status as last
   * persisted must allow the change) or knows by key (then any status the
   * table allows it from); undefined, nothing written, when another writer
   * changed the task first.
   */
  async #apply(target: TaskRecord | TaskKey, change: Change): Promise<TaskRecord | undefined> {
    const current = 'task_id' in target ? target : undefined
    const taskId = current?.task_id ?? (target as TaskKey).taskId
    const tenantId = current?.tenant_id ?? (target as TaskKey).tenantId
    const event = `${change.steps.join('+')} → ${change.to}`
    if (
      !current &&
      (change.steps.length !== 1 || legalFrom(change.steps, change.to).length === 0)
    ) {
      throw new TaskTransitionIllegalError({ taskId, from: 'any', event })
    }
    const visited = current
      ? this.#walk(taskId, current.status, change.steps, change.to)
      : [change.to]
    if (change.usage?.length && !isTerminalStatus(change.to)) {
      // Usage is metered only with the task's end, so no usage row outlives an unfinished task.
      throw new TaskTransitionIllegalError({ taskId, from: current?.status ?? 'any', event })
    }
    const patch: TaskPatch & { updated_at: string } = {
      ...change.fields,
      ...(change.decision ? decisionFields(change.decision) : {}),
      status: change.to,
      ...(change.attempt === undefined ? {} : { attempt: change.attempt }),
      ...(change.takeLease
        ? { lease_owner: this.owner, lease_expires_at: this.#leaseUntil() }
        : {}),
      updated_at: new Date(this.#nowMs()).toISOString(),
    }
    return groupCommit(this.#store).run(async (tx, rows) => {
      const record = await this.#write(tx, { tenantId, taskId }, current, change, patch)
      if (!record) return undefined
      this.#log(rows, record, change.steps, visited, change.decision)
      for (const event of change.events ?? []) rows.event(event)
      for (const usage of change.usage ?? []) rows.usage(usage)
      return record
    })
  }

  /**
   * The guarded update: from the status (and lease holder) the caller holds,
   * without reading the row back; by key, from any status the table allows.
   */
  async #write(
    tx: StoreTx,
    key: TaskKey,
    current: TaskRecord | undefined,
    change: Change,
    patch: TaskPatch & { updated_at: string },
  ): Promise<TaskRecord | undefined> {
    const { tenantId, taskId } = key
    if (!current) {
      const expectStatus = legalFrom(change.steps, change.to)
      return tx.tasks.update(tenantId, taskId, patch, { expectStatus })
    }
    if (current.lease_owner === null) {
      // A row with no holder (written before leases): guard on that.
      return tx.tasks.update(tenantId, taskId, patch, {
        expectStatus: [current.status],
        expectLeaseOwner: null,
      })
    }
    const expectStatus = [current.status]
    const changed = await tx.tasks.transition(
      tenantId,
      taskId,
      patch,
      expectStatus,
      current.lease_owner,
    )
    return changed ? applyTaskPatch(current, patch) : undefined
  }

  /** One lifecycle event per status passed through; the decision right after `routed`. */
  #log(
    rows: PendingRows,
    record: TaskRecord,
    steps: readonly TaskEvent[],
    visited: readonly TaskStatus[],
    decision: RoutingDecision | undefined,
  ): void {
    for (const [index, status] of visited.entries()) {
      rows.event(lifecycleEvent(index === visited.length - 1 ? record : { ...record, status }))
      if (steps[index] === 'route' && decision) rows.event(decisionEvent(record, decision))
    }
  }
}
