/** The result envelope of a stored task, and the ids tasks carry. */
import { ulid } from 'ulid'
import { randomByteFraction } from '../../core/random-pool.js'
import type { Engine, ResultEnvelope } from '../../../contracts/generated/index.js'
import type { TaskEngine, TaskRecord, TaskStatus } from '../../storage/index.js'

/**
 * A new task id: `tsk_` and a ULID (time-ordered, Crockford base32). ulid's
 * default PRNG makes one CSPRNG call per character (16 per id) and probes for
 * a PRNG on every call; the pooled one does neither.
 */
export function newTaskId(): string {
  return `tsk_${ulid(Date.now(), randomByteFraction)}`
}

/** True for the four statuses a task never leaves. */
export { isTerminalStatus as isTerminal } from '../../core/task-status.js'

/** The states a task is in before it ends. */
export const activeStatuses: readonly TaskStatus[] = ['queued', 'routed', 'running']

function toEngine(engine: TaskEngine | null): Engine | null {
  if (engine === null) return null
  // The envelope omits fields that do not apply; stored engines may carry them as undefined.
  const out: Engine = { kind: engine.kind as Engine['kind'], name: engine.name }
  if (engine.version !== undefined) out.version = engine.version
  if (engine.provider !== undefined) out.provider = engine.provider
  if (engine.model !== undefined) out.model = engine.model
  if (engine.tier !== undefined) out.tier = engine.tier
  return out
}

/** The canonical envelope of a task record. */
export function toEnvelope(record: TaskRecord): ResultEnvelope {
  return {
    task_id: record.task_id,
    status: record.status,
    intent: record.intent,
    route: record.route === 'auto' ? null : record.route,
    engine: toEngine(record.engine),
    output: record.output,
    usage: { ...record.usage },
    error: record.error === null ? null : { ...record.error },
    trace_id: record.trace_id ?? '',
    created_at: record.created_at,
    updated_at: record.updated_at,
  }
}
