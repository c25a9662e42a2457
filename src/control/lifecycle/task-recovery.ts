/**
 * Recovery: taking over the unfinished tasks of processes that are gone,
 * in every tenant. A task whose engine call had started (`running`) fails
 * with the retryable AION_TASK_INTERRUPTED (re-running could repeat a paid
 * call); one that never reached an engine (`queued`, `routed`) is requeued
 * as a new attempt held by this process. Nothing stays stuck.
 */
import type { Store, TaskRecord } from '../../storage/index.js'
import type { TaskMachine } from './task-machine.js'

/** What recovery found and did. */
export interface RecoveryReport {
  /** Tasks requeued, oldest first, to run again in this process. */
  readonly requeue: TaskRecord[]
  /** Task ids failed as interrupted. */
  readonly interrupted: string[]
}

/** Options of {@link recoverTasks}. */
export interface RecoveryOptions {
  /**
   * Whether this process is the store's only user (the embedded SQLite
   * store): then every other holder is gone and its leases are taken at
   * once; otherwise only leases that lapsed. @default false
   */
  readonly exclusive?: boolean
  /** Tasks read per round. @default 500 */
  readonly pageSize?: number
}

/** Takes over every tenant's orphaned tasks. */
export async function recoverTasks(
  store: Store,
  machine: TaskMachine,
  options: RecoveryOptions = {},
): Promise<RecoveryReport> {
  const requeue: TaskRecord[] = []
  const interrupted: string[] = []
  const seen = new Set<string>()
  for (;;) {
    const orphans = await store.tasks.unfinished({
      notOwnedBy: machine.owner,
      ...(options.exclusive ? {} : { leaseExpiredBefore: new Date().toISOString() }),
      limit: options.pageSize ?? 500,
    })
    // A task taken over no longer matches; one another process took meanwhile is not retried.
    const fresh = orphans.filter((task) => !seen.has(`${task.tenant_id}/${task.task_id}`))
    if (fresh.length === 0) break
    for (const task of fresh) {
      seen.add(`${task.tenant_id}/${task.task_id}`)
      if (task.status === 'running') {
        if (await machine.interrupt(task)) interrupted.push(task.task_id)
      } else {
        const record = await machine.requeue(task)
        if (record) requeue.push(record)
      }
    }
  }
  return { requeue, interrupted }
}
