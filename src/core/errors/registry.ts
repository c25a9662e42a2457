/**
 * The one registry of platform errors, grouped by area. Each code is stable:
 * never rename or reuse one; add new codes instead.
 */
import { defineError } from './define.js'

/** One violation of a schema or rule, located by JSON pointer. */
export interface Violation {
  /** JSON pointer into the offending document, `''` for the root. */
  readonly path: string
  readonly message: string
  /** The schema keyword or rule that failed (`required`, `type`, `additionalProperties`, …). */
  readonly keyword?: string
}

// ── INTERNAL ────────────────────────────────────────────────────────────────
export const InternalError = defineError<{ reference?: string }>('InternalError', {
  code: 'AION_INTERNAL_UNEXPECTED',
  kind: 'internal',
  retryable: false,
  message: () => 'internal error',
})

// ── REQUEST: the shape of what a client sent ─────────────────────────────────
export const MalformedJsonError = defineError<{ detail: string }>('MalformedJsonError', {
  code: 'AION_REQUEST_MALFORMED_JSON',
  kind: 'invalid_argument',
  retryable: false,
  message: (f) => `request body is not valid JSON: ${f.detail}`,
})

export const RequestInvalidError = defineError<{ violations: readonly Violation[] }>(
  'RequestInvalidError',
  {
    code: 'AION_REQUEST_INVALID',
    kind: 'unprocessable',
    retryable: false,
    message: (f) =>
      `request is invalid: ${f.violations.map((v) => `${v.path || '/'} ${v.message}`).join('; ')}`,
  },
)

export const BodyTooLargeError = defineError<{ limitBytes: number }>('BodyTooLargeError', {
  code: 'AION_REQUEST_BODY_TOO_LARGE',
  kind: 'payload_too_large',
  retryable: false,
  message: (f) => `request body exceeds ${f.limitBytes} bytes`,
})

export const RouteNotFoundError = defineError<{ method: string; url: string }>(
  'RouteNotFoundError',
  {
    code: 'AION_REQUEST_ROUTE_NOT_FOUND',
    kind: 'not_found',
    retryable: false,
    message: (f) => `no route for ${f.method} ${f.url}`,
  },
)

// ── CONTRACT: a payload checked against a contract schema ───────────────────
export const ContractViolationError = defineError<{
  schema: string
  violations: readonly Violation[]
}>('ContractViolationError', {
  code: 'AION_CONTRACT_VIOLATION',
  kind: 'unprocessable',
  retryable: false,
  message: (f) =>
    `${f.schema}: ${f.violations.map((v) => `${v.path || '/'} ${v.message}`).join('; ')}`,
})

// ── STORE: the relational store ──────────────────────────────────────────────
export const StoreUnavailableError = defineError<{ engine: string }>('StoreUnavailableError', {
  code: 'AION_STORE_UNAVAILABLE',
  kind: 'unavailable',
  retryable: true,
  message: (f) => `the ${f.engine} store is unavailable`,
})

export const StoreConflictError = defineError<{ entity: string; key: string }>(
  'StoreConflictError',
  {
    code: 'AION_STORE_CONFLICT',
    kind: 'conflict',
    retryable: false,
    message: (f) => `${f.entity} ${f.key} already exists`,
  },
)

export const MigrationFailedError = defineError<{ migration: string; engine: string }>(
  'MigrationFailedError',
  {
    code: 'AION_STORE_MIGRATION_FAILED',
    kind: 'internal',
    retryable: false,
    message: (f) => `migration ${f.migration} failed on ${f.engine}`,
  },
)

export const UnsupportedDatabaseUrlError = defineError<{ url: string }>(
  'UnsupportedDatabaseUrlError',
  {
    code: 'AION_STORE_UNSUPPORTED_URL',
    kind: 'invalid_argument',
    retryable: false,
    message: (f) => `unsupported database URL ${f.url}: use postgres://… or leave it unset for SQLite`,
  },
)

// ── TASK ─────────────────────────────────────────────────────────────────────
export const TaskNotFoundError = defineError<{ taskId: string }>('TaskNotFoundError', {
  code: 'AION_TASK_NOT_FOUND',
  kind: 'not_found',
  retryable: false,
  message: (f) => `task ${f.taskId} not found`,
})
