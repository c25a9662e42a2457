/** Writing an audit entry and its event (an action that changed no task, or a policy change). */
import type { PendingRows, StoreTx } from '../../storage/index.js'
import { auditEvent, auditRecord, type AuditEntry } from './platform-topics.js'

/** Writes an audit entry and its event. Inside a group commit, pass the unit's `rows`. */
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
