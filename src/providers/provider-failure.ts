/**
 * Provider failures → the stable AION_PROVIDER_* errors, in one place: HTTP
 * statuses, transport errors, the caller's abort and the deadline. Upstream
 * text that reaches a message is redacted of the profile's secrets first.
 */
import {
  isAionError,
  ProviderAuthFailedError,
  ProviderBadResponseError,
  ProviderCancelledError,
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderStreamCutError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  type AionError,
} from '../core/errors/index.js'
import type { ProviderProfile } from './profiles/provider-profile.js'

const detailLimitChars = 300

/** Upstream text made safe for a message: secrets replaced, length capped. */
export function redact(profile: ProviderProfile, text: string): string {
  let safe = text
  for (const secret of profile.secrets) safe = safe.split(secret).join('[redacted]')
  return safe.length > detailLimitChars ? `${safe.slice(0, detailLimitChars)}…` : safe
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date. */
export function retryAfterSeconds(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim()
  if (value === undefined || value === '') return undefined
  if (/^\d+$/.test(value)) return Number(value)
  const dateMs = Date.parse(value)
  return Number.isNaN(dateMs) ? undefined : Math.max(0, Math.ceil((dateMs - Date.now()) / 1000))
}

function upstreamMessage(profile: ProviderProfile, body: string): string {
  let message: unknown = body
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown }
    message =
      typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message)
  } catch {
    // Not JSON: the raw text is the message.
  }
  return typeof message === 'string' && message !== '' ? redact(profile, message) : 'no detail'
}

/** The error for a non-2xx answer. */
export function statusFailure(
  profile: ProviderProfile,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): AionError {
  const provider = profile.name
  if (status === 429) {
    const seconds = retryAfterSeconds(headers['retry-after'])
    return new ProviderRateLimitedError(
      seconds === undefined ? { provider } : { provider, retryAfterSeconds: seconds },
    )
  }
  // The upstream's words about a refused credential may quote it; none are kept.
  if (status === 401 || status === 403) return new ProviderAuthFailedError({ provider, status })
  if (status >= 400 && status < 500) {
    return new ProviderRejectedError({ provider, status, detail: upstreamMessage(profile, body) })
  }
  if (status >= 500) {
    return new ProviderUnavailableError({
      provider,
      status,
      reason: upstreamMessage(profile, body),
    })
  }
  return new ProviderBadResponseError({ provider, detail: `unexpected HTTP ${status}` })
}

/** Where a call was when it failed, and why it may have been aborted. */
export interface FailureContext {
  readonly cancelled: boolean
  readonly timedOut: boolean
  readonly timeoutMs: number
  /** Streaming, headers received: a transport failure now cuts the stream. */
  readonly streaming: boolean
  readonly deltas: number
}

/** Any error thrown during a call → the provider error it means. */
export function callFailure(
  profile: ProviderProfile,
  error: unknown,
  context: FailureContext,
): AionError {
  const provider = profile.name
  if (context.cancelled) return new ProviderCancelledError({ provider }, { cause: error })
  if (context.timedOut) {
    return new ProviderTimeoutError({ provider, timeoutMs: context.timeoutMs }, { cause: error })
  }
  if (isAionError(error)) return error
  if (context.streaming) {
    return new ProviderStreamCutError({ provider, deltas: context.deltas }, { cause: error })
  }
  const reason = transportReason(error)
  return new ProviderUnavailableError({ provider, reason }, { cause: error })
}

// A stable code (ECONNREFUSED, UND_ERR_SOCKET) rather than a message that might quote a request.
function transportReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string') return code
  return error instanceof Error ? error.name : 'transport failure'
}
