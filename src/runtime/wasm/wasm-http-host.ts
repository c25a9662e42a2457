/**
 * The main thread's side of `aion_http.fetch` (the ABI is in wasm-host-api.js):
 * parses the module's request, checks the URL against the module's egress rules,
 * fetches without following redirects (a redirect is the module's to follow, and
 * its target is checked again), and answers with the response JSON or an errno.
 * A refused URL is reported to `onDenied` and answered `denied`: the worker then
 * stops the instance and the call fails with AION_EGRESS_DENIED. Every fetch
 * connects through the platform's address guard (`limits.dispatcher`): a
 * connection it refuses ends the call the same way, with its own error
 * (AION_EGRESS_ADDRESS_REFUSED), nothing sent.
 */
import { fetch, type Dispatcher } from 'undici'
import { EgressDeniedError, isAionError, type AionError } from '../../core/errors/index.js'
import { ERRNO } from './wasm-host-api.js'
import type { ModuleEgress } from './wasm-egress.js'
import type { HostCallAnswer } from './worker-pool.js'
import type { WorkerHostCallMessage } from './worker-protocol.js'

/** Limits of one module's host calls. */
export interface HttpHostLimits {
  /** Bytes of a response body the host reads at most; a larger one answers `FBIG`. */
  readonly responseBodyLimitBytes: number
  /** Wall-clock limit of one fetch, within the call's own deadline. */
  readonly fetchTimeoutMs: number
  /** What every fetch connects through: an agent built on the address guard. */
  readonly dispatcher: Dispatcher
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
const decoder = new TextDecoder()
const encoder = new TextEncoder()

interface ModuleRequest {
  readonly url: URL
  readonly method: string
  readonly headers: Record<string, string>
  readonly body: string | undefined
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  return Object.values(value).every((v) => typeof v === 'string')
}

/** The request the module passed, or undefined when it is not one. */
function parseRequest(bytes: Uint8Array): ModuleRequest | undefined {
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(bytes))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { url, method = 'GET', headers = {}, body } = value as Record<string, unknown>
  if (typeof url !== 'string' || !URL.canParse(url)) return undefined
  if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) return undefined
  if (!isStringRecord(headers) || (body !== undefined && typeof body !== 'string')) return undefined
  return { url: new URL(url), method: method.toUpperCase(), headers, body }
}

/** Reads at most `limitBytes` of the body; undefined when there is more. */
async function readCapped(
  response: Awaited<ReturnType<typeof fetch>>,
  limitBytes: number,
): Promise<Uint8Array | undefined> {
  if (!response.body) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of response.body) {
    total += chunk.byteLength
    if (total > limitBytes) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/**
 * A host-call handler for one call of one module.
 * @param onDenied told why a URL or its connection was refused (before the answer goes back)
 */
export function httpHostCalls(
  egress: ModuleEgress,
  limits: HttpHostLimits,
  onDenied: (refusal: AionError) => void,
) {
  return async function answerHostCall(
    message: WorkerHostCallMessage,
    callEnded: AbortSignal,
  ): Promise<HostCallAnswer> {
    const request = parseRequest(message.request)
    if (!request) return { kind: 'failed', errno: ERRNO.INVAL }
    if (!egress.allows(request.url)) {
      onDenied(new EgressDeniedError({ origin: request.url.origin }))
      return { kind: 'denied' }
    }
    const signal = AbortSignal.any([callEnded, AbortSignal.timeout(limits.fetchTimeoutMs)])
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal,
        dispatcher: limits.dispatcher,
      })
      const body = await readCapped(response, limits.responseBodyLimitBytes)
      if (body === undefined) return { kind: 'failed', errno: ERRNO.FBIG }
      const answer = {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: decoder.decode(body),
      }
      return { kind: 'answered', bytes: encoder.encode(JSON.stringify(answer)) }
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause
      if (isAionError(cause)) {
        onDenied(cause)
        return { kind: 'denied' }
      }
      return { kind: 'failed', errno: signal.aborted ? ERRNO.TIMEDOUT : ERRNO.IO }
    }
  }
}
