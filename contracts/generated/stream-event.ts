/* Generated from contracts/schemas/stream-event.schema.json by `npm run contracts:gen`. Do not edit. */
import type { ResultEnvelope, TaskError, TaskId } from './result-envelope.js'

/**
 * One event of a task's stream (SSE event name = `event`; WebSocket and gRPC carry the same fields). Every event names its task and a sequence number that starts at 1 and grows by 1 per event of that task, so a client can resume after the last `seq` it saw. A stream ends with exactly one `done` or `error` event.
 */
export type StreamEvent = TokenEvent | PartialEvent | DoneEvent | ErrorEvent
/**
 * Position of the event in its task's stream: 1 for the first, then +1 per event.
 */
export type StreamSeq = number
/**
 * Zero-based index of the pipeline step that produced the event; absent for single-engine tasks.
 */
export type PipelineStep = number

/**
 * A piece of generated text, to be appended to what came before.
 */
export interface TokenEvent {
  event: 'token'
  task_id: TaskId
  seq: StreamSeq
  /**
   * The text delta.
   */
  text: string
  step?: PipelineStep
}
/**
 * A partial output: the output object as far as it is known (replaces the previous partial).
 */
export interface PartialEvent {
  event: 'partial'
  task_id: TaskId
  seq: StreamSeq
  /**
   * The partial output so far.
   */
  output: {
    [k: string]: unknown
  }
  step?: PipelineStep
}
/**
 * The task reached a terminal status; carries the final envelope. Ends the stream.
 */
export interface DoneEvent {
  event: 'done'
  task_id: TaskId
  seq: StreamSeq
  envelope: ResultEnvelope
}
/**
 * The stream itself failed (the task may or may not have); carries the error. Ends the stream.
 */
export interface ErrorEvent {
  event: 'error'
  task_id: TaskId
  seq: StreamSeq
  error: TaskError
}
