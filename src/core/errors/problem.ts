import { AionError } from './aion-error.js'
import { statusOfKind } from './kinds.js'
import { InternalError } from './registry.js'

export const problemContentType = 'application/problem+json'

/** An RFC 9457 problem document carrying the platform's error code. */
export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly code: string
  readonly retryable: boolean
  readonly instance?: string
  readonly [field: string]: unknown
}

/**
 * Turns anything thrown into a platform error. Unknown errors become
 * `AION_INTERNAL_UNEXPECTED` with the original kept only as `cause`, so no
 * internals reach a client.
 */
export function toAionError(error: unknown): AionError {
  if (error instanceof AionError) return error
  return new InternalError({}, { cause: error })
}

/** Renders an error as `application/problem+json`; the status comes from the kind table. */
export function toProblem(error: unknown, instance?: string): Problem {
  const aion = toAionError(error)
  const { http } = statusOfKind(aion.kind)
  return {
    ...aion.fields,
    type: `urn:aion:error:${aion.code}`,
    title: aion.code,
    status: http,
    detail: aion.message,
    code: aion.code,
    retryable: aion.retryable,
    ...(instance === undefined ? {} : { instance }),
  }
}
