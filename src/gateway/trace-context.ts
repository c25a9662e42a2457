/**
 * W3C Trace Context (`traceparent`): an incoming trace is continued, an
 * absent or invalid one starts a new trace. Each request gets its own span
 * id; `traceparent` names it for outgoing calls and is echoed on the response.
 *
 * ```ts
 * registerTraceContext(app) // once, before routes
 * const { traceId, traceparent } = traceOf(request)
 * ```
 */
import { randomHexId } from '../core/random-pool.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'

/** The parts of a valid `traceparent`. */
export interface Traceparent {
  /** 32 lowercase hex, not all zeros. */
  readonly traceId: string
  /** 16 lowercase hex, not all zeros: the caller's span. */
  readonly parentId: string
  /** Whether the caller sampled the trace (flag bit 0). */
  readonly sampled: boolean
}

/** The trace a request belongs to. */
export interface TraceContext {
  /** 32 lowercase hex; every envelope carries it as `trace_id`. */
  readonly traceId: string
  /** This request's span id (16 hex). */
  readonly spanId: string
  /** The caller's span id, null when this request started the trace. */
  readonly parentSpanId: string | null
  readonly sampled: boolean
  /** `00-<traceId>-<spanId>-<flags>`: send it on outgoing calls; echoed on the response. */
  readonly traceparent: string
  /** The incoming `tracestate`, passed on unchanged with a continued trace. */
  readonly tracestate: string | undefined
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by {@link registerTraceContext} on every request. */
    traceContext: TraceContext | null
  }
}

const hex = /^[0-9a-f]+$/
const zeros32 = '0'.repeat(32)
const zeros16 = '0'.repeat(16)

/**
 * Parses a `traceparent` per W3C Trace Context level 1: version `00` exactly
 * 55 characters; a later version (not `ff`) may carry more after a `-`.
 * Undefined when invalid or when an id is all zeros.
 */
export function parseTraceparent(header: string | undefined): Traceparent | undefined {
  if (header === undefined || header.length < 55) return undefined
  const version = header.slice(0, 2)
  if (!hex.test(version) || version === 'ff') return undefined
  if (version === '00' ? header.length !== 55 : header.length > 55 && header[55] !== '-') {
    return undefined
  }
  if (header[2] !== '-' || header[35] !== '-' || header[52] !== '-') return undefined
  const traceId = header.slice(3, 35)
  const parentId = header.slice(36, 52)
  const flags = header.slice(53, 55)
  if (!hex.test(traceId) || !hex.test(parentId) || !hex.test(flags)) return undefined
  if (traceId === zeros32 || parentId === zeros16) return undefined
  return { traceId, parentId, sampled: (Number.parseInt(flags, 16) & 1) === 1 }
}

/** Continues the trace of a valid `traceparent`, else starts a new (sampled) one. */
export function traceContextFrom(
  traceparent: string | undefined,
  tracestate?: string | undefined,
): TraceContext {
  const parent = parseTraceparent(traceparent)
  const traceId = parent?.traceId ?? randomHexId(16)
  const spanId = randomHexId(8)
  const sampled = parent?.sampled ?? true
  return {
    traceId,
    spanId,
    parentSpanId: parent?.parentId ?? null,
    sampled,
    traceparent: `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`,
    tracestate: parent === undefined ? undefined : tracestate,
  }
}

/** Adds a hook giving every request its {@link TraceContext} and echoing `traceparent`. */
export function registerTraceContext(app: FastifyInstance): void {
  if (!app.hasRequestDecorator('traceContext')) app.decorateRequest('traceContext', null)
  app.addHook('onRequest', async function traceContext(request, reply) {
    const state = request.headers.tracestate
    const context = traceContextFrom(
      single(request.headers.traceparent),
      Array.isArray(state) ? state.join(',') : state,
    )
    request.traceContext = context
    void reply.header('traceparent', context.traceparent)
  })
}

/** The request's trace; a fresh one when {@link registerTraceContext} did not run. */
export function traceOf(request: FastifyRequest): TraceContext {
  request.traceContext ??= traceContextFrom(single(request.headers.traceparent))
  return request.traceContext
}

function single(value: string | string[] | undefined): string | undefined {
  // Two traceparent headers are ambiguous: the spec says to start a new trace.
  return Array.isArray(value) ? undefined : value
}
