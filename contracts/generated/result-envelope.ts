/* Generated from contracts/schemas/result-envelope.schema.json by `npm run contracts:gen`. Do not edit. */
import type { Engine, Route } from './routing-decision.js'
import type { IntentName } from './task-request.js'

/**
 * Task identifier: `tsk_` followed by a 26-character ULID in Crockford base32 (upper case).
 *
 * This interface was referenced by `ResultEnvelope`'s JSON-Schema
 * via the `definition` "task_id".
 */
export type TaskId = string
/**
 * Lifecycle: queued → routed → running → succeeded | failed | cancelled | timed_out (the last four are terminal).
 *
 * This interface was referenced by `ResultEnvelope`'s JSON-Schema
 * via the `definition` "task_status".
 */
export type TaskStatus =
  'queued' | 'routed' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out'
/**
 * A stable platform error code: `AION_<AREA>_<REASON>`.
 *
 * This interface was referenced by `ResultEnvelope`'s JSON-Schema
 * via the `definition` "error_code".
 */
export type ErrorCode = string
/**
 * W3C trace id of the task: 32 lower-case hex digits, not all zero.
 *
 * This interface was referenced by `ResultEnvelope`'s JSON-Schema
 * via the `definition` "trace_id".
 */
export type TraceId = string

/**
 * The one canonical description of a task, returned by every response about a task (REST, gRPC, the `done` stream event). Evolution: fields may be added, never removed or changed in meaning. This schema is exact (unknown keys rejected) because it describes what this version of the server emits, and our own output is checked against it; clients must tolerate fields they do not know, so a client validating responses should ignore `additionalProperties` violations or use the schema of the version it targets. Owns the task id, trace id, status, usage and error definitions the other contracts reuse.
 */
export interface ResultEnvelope {
  task_id: TaskId
  status: TaskStatus
  intent: IntentName
  /**
   * The route taken; null until the task is routed (and for a task that failed before routing).
   */
  route: Route | null
  /**
   * The engine serving the task; null until the task is routed.
   */
  engine: Engine | null
  /**
   * The result: any JSON value the engine produced (checked against the engine's output schema); null until there is one. A cancelled or timed-out task may keep the partial output it had.
   */
  output: unknown
  usage: Usage
  /**
   * Why the task did not succeed; null unless the status is failed, timed_out or cancelled.
   */
  error: TaskError | null
  trace_id: TraceId
  /**
   * When the task was accepted (RFC 3339).
   */
  created_at: string
  /**
   * When the task last changed (RFC 3339).
   */
  updated_at: string
}
/**
 * What the task consumed so far.
 *
 * This interface was referenced by `ResultEnvelope`'s JSON-Schema
 * via the `definition` "usage".
 */
export interface Usage {
  /**
   * Prompt tokens billed (0 for modules).
   */
  input_tokens: number
  /**
   * Completion tokens billed (0 for modules).
   */
  output_tokens: number
  /**
   * Cost in US dollars.
   */
  cost_usd: number
  /**
   * Execution wall-clock time in milliseconds.
   */
  duration_ms: number
}
/**
 * A platform error as clients see it.
 *
 * This interface was referenced by `ResultEnvelope`'s JSON-Schema
 * via the `definition` "task_error".
 */
export interface TaskError {
  code: ErrorCode
  /**
   * Human-readable explanation; safe to show (no internals).
   */
  message: string
  /**
   * Whether the same request may succeed if retried later.
   */
  retryable: boolean
}
