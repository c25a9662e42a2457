/** Task columns as transitions set them: a routing decision's, and a patch merged into a record. */
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import type { TaskEngine, TaskPatch, TaskRecord } from '../../storage/index.js'
import type { JsonValue } from '../../core/domain/index.js'

/** The columns a caller may set with a transition (status, attempt and lease are the machine's). */
export type TaskFields = Omit<
  TaskPatch,
  'status' | 'attempt' | 'lease_owner' | 'lease_expires_at' | 'updated_at'
>

/** The engine of a routing decision as stored. */
export function engineOf(target: {
  readonly engine: TaskEngine
  readonly tier?: string
}): TaskEngine {
  return { ...target.engine, tier: target.engine.tier ?? target.tier }
}

/** The task columns a routing decision sets. */
export function decisionFields(decision: RoutingDecision): TaskFields {
  return {
    route: decision.route,
    engine: engineOf(decision),
    decision: decision as unknown as JsonValue,
  }
}

/**
 * The record after `patch`, as the store holds it once the patch applied
 * (the status and lease guards passed, so no other writer changed the row).
 */
export function applyTaskPatch(
  record: TaskRecord,
  patch: TaskPatch & { updated_at: string },
): TaskRecord {
  const pick = <K extends keyof TaskPatch & keyof TaskRecord>(key: K): TaskRecord[K] =>
    (patch[key] === undefined ? record[key] : patch[key]) as TaskRecord[K]
  return {
    ...record,
    status: pick('status'),
    route: pick('route'),
    engine: pick('engine'),
    output: pick('output'),
    usage: pick('usage'),
    error: pick('error'),
    decision: pick('decision'),
    trace_id: pick('trace_id'),
    attempt: pick('attempt'),
    lease_owner: pick('lease_owner'),
    lease_expires_at: pick('lease_expires_at'),
    updated_at: new Date(patch.updated_at).toISOString(),
  }
}
