/**
 * The `traceparent` of an outgoing call (W3C Trace Context level 1): the
 * task's trace id with a fresh span id, so a provider or a module continues
 * the trace the gateway accepted or started.
 */
import { randomHexId } from './random-pool.js'

const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/

/** `00-<traceId>-<new span id>-01`; undefined when `traceId` is no valid trace id. */
export function childTraceparent(traceId: string): string | undefined {
  if (!TRACE_ID.test(traceId)) return undefined
  return `00-${traceId}-${randomHexId(8)}-01`
}
