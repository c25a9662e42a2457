/**
 * Persisting a task's state changes: each transition is one unit of a group
 * commit that updates the row only while it is still in an expected status
 * (so two writers cannot both end a task) and hands over the transition's
 * events, which commit in the same transaction.
 */
import type {
  NewOutboxEvent,
  NewUsage,
  PendingRows,
  Store,
  StoreTx,
  TaskPatch,
  TaskRecord,
  TaskStatus,
} from '../../storage/index.js'
import { groupCommit } from '../../storage/index.js'
import { auditEvent, auditRecord, lifecycleEvent, type AuditEntry } from './platform-topics.js'

/** A patch stamped with the time of the change. */
export type StampedPatch = TaskPatch & { readonly updated_at: string }

/** One state change and everything written with it. */
export interface Transition {
  readonly tenantId: string
  readonly taskId: string
  /** The statuses the task may be in for the change to apply. */
  readonly from: TaskStatus | readonly TaskStatus[]
  readonly patch: StampedPatch
  /**
   * The task as last persisted, when the caller holds it (the runner does):
   * the change is then written without reading the row back.
   */
  readonly current?: TaskRecord
  /**
   * Events that precede the lifecycle event, built from the new record (the
   * steps of a transition that passes through a status, like `routed` on the
   * way to `running`).
   */
  readonly before?: (record: TaskRecord) => readonly NewOutboxEvent[]
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
  return groupCommit(store).run((tx, rows) => applyInTx(tx, rows, t))
}

async function applyInTx(
  tx: StoreTx,
  rows: PendingRows,
  t: Transition,
): Promise<TaskRecord | undefined> {
  const from = typeof t.from === 'string' ? [t.from] : t.from
  const record = t.current
    ? (await tx.tasks.transition(t.tenantId, t.taskId, t.patch, from))
      ? applyTaskPatch(t.current, t.patch)
      : undefined
    : await tx.tasks.update(t.tenantId, t.taskId, t.patch, { expectStatus: from })
  if (!record) return undefined
  for (const event of t.before?.(record) ?? []) rows.event(event)
  rows.event(lifecycleEvent(record))
  for (const event of t.events?.(record) ?? []) rows.event(event)
  for (const usage of t.usage ?? []) rows.usage(usage)
  if (t.audit) await writeAudit(tx, t.audit, t.patch.updated_at, rows)
  return record
}

/**
 * The record after `patch`, as the store holds it once the patch applied
 * (every status guard passed, so no other writer changed the row between).
 */
export function applyTaskPatch(record: TaskRecord, patch: StampedPatch): TaskRecord {
  return {
    ...record,
    status: patch.status ?? record.status,
    route: patch.route === undefined ? record.route : patch.route,
    engine: patch.engine === undefined ? record.engine : patch.engine,
    output: patch.output === undefined ? record.output : patch.output,
    usage: patch.usage ?? record.usage,
    error: patch.error === undefined ? record.error : patch.error,
    decision: patch.decision === undefined ? record.decision : patch.decision,
    trace_id: patch.trace_id === undefined ? record.trace_id : patch.trace_id,
    updated_at: new Date(patch.updated_at).toISOString(),
  }
}

/**
 * Writes an audit entry and its event (an action that changed no task, or a
 * policy change). Inside a group commit, pass the unit's `rows`.
 */
export async function writeAudit(
  tx: StoreTx,
  entry: AuditEntry,
  at: string,
  rows?: PendingRows,
): Promise<void> {
  if (rows) {
    rows.audit(auditRecord(entry, at))
    rows.event(auditEvent(entry, at))
    return
  }
  await tx.audit.append(auditRecord(entry, at))
  await tx.outbox.enqueue(auditEvent(entry, at))
}
