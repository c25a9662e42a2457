/**
 * Startup recovery: a crashed process may leave tasks `queued`, `routed` or
 * `running`. Queued ones are handed back to the caller to run again; routed
 * and running ones are failed with the retryable AION_TASK_INTERRUPTED (their
 * engine call is gone, and re-running could repeat a paid call). Nothing stays stuck.
 */
import { TaskInterruptedError } from '../../core/errors/index.js'
import type { Store, TaskRecord, TaskStatus } from '../../storage/index.js'
import { applyTransition } from './task-transitions.js'

async function allWithStatus(
  store: Store,
  tenantId: string,
  status: TaskStatus,
): Promise<TaskRecord[]> {
  const records: TaskRecord[] = []
  let after: string | undefined
  do {
    const page = await store.tasks.list(tenantId, {
      status,
      limit: 500,
      ...(after ? { after } : {}),
    })
    records.push(...page.items)
    after = page.nextCursor
  } while (after)
  return records
}

/** What recovery found and did. */
export interface RecoveryReport {
  /** Tasks left queued, oldest first, to run again. */
  readonly requeue: TaskRecord[]
  /** Task ids failed as interrupted. */
  readonly interrupted: string[]
}

/** Fails interrupted tasks of the tenant and returns the queued ones. */
export async function recoverTasks(store: Store, tenantId: string): Promise<RecoveryReport> {
  const interrupted: string[] = []
  for (const status of ['routed', 'running'] as const) {
    for (const task of await allWithStatus(store, tenantId, status)) {
      const error = new TaskInterruptedError({ taskId: task.task_id, status })
      const updated = await applyTransition(store, {
        tenantId,
        taskId: task.task_id,
        from: status,
        patch: {
          status: 'failed',
          error: { code: error.code, message: error.message, retryable: error.retryable },
          updated_at: new Date().toISOString(),
        },
      })
      if (updated) interrupted.push(task.task_id)
    }
  }
  const queued = await allWithStatus(store, tenantId, 'queued')
  return { requeue: queued.reverse(), interrupted }
}
