/**
 * Persisting a task's state changes: each transition is one transaction that
 * updates the row only while it is still in an expected status (so two
 * writers cannot both end a task) and enqueues the transition's events.
 */
import type {
  NewOutboxEvent,
  NewUsage,
  Store,
  StoreTx,
  TaskPatch,
  TaskRecord,
  TaskStatus,
} from '../../storage/index.js'
import { groupCommit } from '../../storage/index.js'
import { auditEvent, auditRecord, lifecycleEvent, type AuditEntry } from './platform-topics.js'

/** One state change and everything written with it. */
export interface Transition {
  readonly tenantId: string
  readonly taskId: string
  /** The statuses the task may be in for the change to apply. */
  readonly from: TaskStatus | readonly TaskStatus[]
  readonly patch: TaskPatch & { readonly updated_at: string }
  /** Events besides the lifecycle event (decision, metrics), built from the new record. */
  readonly events?: (record: TaskRecord) => readonly NewOutboxEvent[]
  readonly usage?: readonly NewUsage[]
  readonly audit?: AuditEntry
}

/**
 * Applies the transition; undefined (and nothing written) when the task is
 * no longer in one of `from` — another writer ended it first.
 *
 * Transitions commit in groups (see `groupCommit`): under load one
 * transaction carries many tasks' changes instead of one commit each.
 */
export function applyTransition(store: Store, t: Transition): Promise<TaskRecord | undefined> {
  return groupCommit(store).run((tx) => applyInTx(tx, t))
}

async function applyInTx(tx: StoreTx, t: Transition): Promise<TaskRecord | undefined> {
  const record = await tx.tasks.update(t.tenantId, t.taskId, t.patch, { expectStatus: t.from })
  if (!record) return undefined
  await tx.outbox.enqueue(lifecycleEvent(record))
  for (const event of t.events?.(record) ?? []) await tx.outbox.enqueue(event)
  for (const usage of t.usage ?? []) await tx.usage.record(usage)
  if (t.audit) {
    await tx.audit.append(auditRecord(t.audit, t.patch.updated_at))
    await tx.outbox.enqueue(auditEvent(t.audit, t.patch.updated_at))
  }
  return record
}

/** Writes an audit entry on its own (an action that changed no task, or a policy change). */
export async function writeAudit(tx: StoreTx, entry: AuditEntry, at: string): Promise<void> {
  await tx.audit.append(auditRecord(entry, at))
  await tx.outbox.enqueue(auditEvent(entry, at))
}
