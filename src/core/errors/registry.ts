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
    message: (f) =>
      `unsupported database URL ${f.url}: use postgres://… or leave it unset for SQLite`,
  },
)

// ── TASK ─────────────────────────────────────────────────────────────────────
export const TaskNotFoundError = defineError<{ taskId: string }>('TaskNotFoundError', {
  code: 'AION_TASK_NOT_FOUND',
  kind: 'not_found',
  retryable: false,
  message: (f) => `task ${f.taskId} not found`,
})

// ── REGISTRY: intents.yml, policies.yml, models.yml, modules.yml ─────────────
/** One problem in a registry set, located in its file (see `src/core/registry`). */
export interface RegistryIssue {
  /** Stable `AION_REGISTRY_*` code, one of the codes defined below. */
  readonly code: string
  /** The file, relative to the registry directory (`intents.yml`). */
  readonly file: string
  /** 1-based line, when the problem has a place in the file. */
  readonly line?: number
  /** 1-based column, when the problem has a place in the file. */
  readonly column?: number
  /** JSON pointer into the file's document; `''` for the whole file. */
  readonly path: string
  readonly message: string
}

/** Fields of an error raised for a single registry issue. */
export interface RegistryIssueFields {
  readonly file: string
  readonly path: string
  readonly detail: string
  readonly [field: string]: unknown
}

function defineRegistryIssue(
  name: string,
  code: string,
  kind: Parameters<typeof defineError>[1]['kind'],
) {
  return defineError<RegistryIssueFields>(name, {
    code,
    kind,
    retryable: false,
    message: (f) => `${f.file}${f.path ? ` ${f.path}` : ''}: ${f.detail}`,
  })
}

export const RegistryFileMissingError = defineRegistryIssue(
  'RegistryFileMissingError',
  'AION_REGISTRY_FILE_MISSING',
  'failed_precondition',
)
export const RegistryFileAmbiguousError = defineRegistryIssue(
  'RegistryFileAmbiguousError',
  'AION_REGISTRY_FILE_AMBIGUOUS',
  'failed_precondition',
)
export const RegistryFileTooLargeError = defineRegistryIssue(
  'RegistryFileTooLargeError',
  'AION_REGISTRY_FILE_TOO_LARGE',
  'payload_too_large',
)
export const RegistryFileEmptyError = defineRegistryIssue(
  'RegistryFileEmptyError',
  'AION_REGISTRY_FILE_EMPTY',
  'unprocessable',
)
export const RegistryNotUtf8Error = defineRegistryIssue(
  'RegistryNotUtf8Error',
  'AION_REGISTRY_NOT_UTF8',
  'unprocessable',
)
export const RegistryUnreadableError = defineRegistryIssue(
  'RegistryUnreadableError',
  'AION_REGISTRY_UNREADABLE',
  'failed_precondition',
)
export const RegistryYamlSyntaxError = defineRegistryIssue(
  'RegistryYamlSyntaxError',
  'AION_REGISTRY_YAML_SYNTAX',
  'unprocessable',
)
export const RegistryDuplicateKeyError = defineRegistryIssue(
  'RegistryDuplicateKeyError',
  'AION_REGISTRY_DUPLICATE_KEY',
  'unprocessable',
)
export const RegistryUnknownKeyError = defineRegistryIssue(
  'RegistryUnknownKeyError',
  'AION_REGISTRY_UNKNOWN_KEY',
  'unprocessable',
)
export const RegistryMissingKeyError = defineRegistryIssue(
  'RegistryMissingKeyError',
  'AION_REGISTRY_MISSING_KEY',
  'unprocessable',
)
export const RegistryWrongTypeError = defineRegistryIssue(
  'RegistryWrongTypeError',
  'AION_REGISTRY_WRONG_TYPE',
  'unprocessable',
)
export const RegistryInvalidValueError = defineRegistryIssue(
  'RegistryInvalidValueError',
  'AION_REGISTRY_INVALID_VALUE',
  'unprocessable',
)
export const RegistryDanglingRefError = defineRegistryIssue(
  'RegistryDanglingRefError',
  'AION_REGISTRY_DANGLING_REF',
  'unprocessable',
)
export const RegistryInconsistentError = defineRegistryIssue(
  'RegistryInconsistentError',
  'AION_REGISTRY_INCONSISTENT',
  'unprocessable',
)

/** A registry set was rejected; `issues` lists every problem found, across all files. */
export const RegistryInvalidError = defineError<{ issues: readonly RegistryIssue[] }>(
  'RegistryInvalidError',
  {
    code: 'AION_REGISTRY_INVALID',
    kind: 'unprocessable',
    retryable: false,
    message: (f) =>
      `registry set is invalid (${f.issues.length} issue${f.issues.length === 1 ? '' : 's'}): ` +
      f.issues
        .slice(0, 5)
        .map((i) => `${i.file}${i.line === undefined ? '' : `:${i.line}`} ${i.code} ${i.message}`)
        .join('; ') +
      (f.issues.length > 5 ? '; …' : ''),
  },
)

// ── CONFIG: platform settings from the environment ───────────────────────────
/** One problem with one platform setting. */
export interface SettingsProblem {
  /** The environment variable (`AION_PORT`). */
  readonly variable: string
  readonly message: string
}

/** Platform settings are invalid; `problems` lists every one found. */
export const SettingsInvalidError = defineError<{ problems: readonly SettingsProblem[] }>(
  'SettingsInvalidError',
  {
    code: 'AION_CONFIG_INVALID',
    kind: 'invalid_argument',
    retryable: false,
    message: (f) =>
      `invalid settings: ${f.problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`,
  },
)

// ── STORE (relational store, added with the storage adapters) ────────────────
export const RegistryVersionNotFoundError = defineError<{ tenantId: string; version: number }>(
  'RegistryVersionNotFoundError',
  {
    code: 'AION_STORE_REGISTRY_VERSION_NOT_FOUND',
    kind: 'not_found',
    retryable: false,
    message: (f) => `registry version ${f.version} of tenant ${f.tenantId} not found`,
  },
)

export const StoreOptionsInvalidError = defineError<{ option: string; reason: string }>(
  'StoreOptionsInvalidError',
  {
    code: 'AION_STORE_INVALID_OPTIONS',
    kind: 'invalid_argument',
    retryable: false,
    message: (f) => `store option ${f.option} is invalid: ${f.reason}`,
  },
)

export const StoreValueUnsupportedError = defineError<{ engine: string; reason: string }>(
  'StoreValueUnsupportedError',
  {
    code: 'AION_STORE_UNSUPPORTED_VALUE',
    kind: 'unprocessable',
    retryable: false,
    message: (f) => `the ${f.engine} store cannot hold this value: ${f.reason}`,
  },
)

// ── REGISTRY (continued) ─────────────────────────────────────────────────────
export const RegistryTooDeepError = defineRegistryIssue(
  'RegistryTooDeepError',
  'AION_REGISTRY_TOO_DEEP',
  'unprocessable',
)
