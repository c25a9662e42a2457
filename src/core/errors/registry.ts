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

// ── EVENTS: the outbox relay and its Kafka cluster ───────────────────────────
/**
 * Kafka did not answer (brokers down, a timeout, a refused request): a batch
 * of outbox events the relay published stays in the outbox and is published
 * later; `aionctl events tail` reading Kafka stops with this code.
 */
export const EventBrokerUnavailableError = defineError<{
  brokers: readonly string[]
  detail: string
}>('EventBrokerUnavailableError', {
  code: 'AION_EVENTS_BROKER_UNAVAILABLE',
  kind: 'unavailable',
  retryable: true,
  message: (f) => `Kafka (${f.brokers.join(', ')}) did not answer: ${f.detail}`,
})

// ── REGISTRY (continued) ─────────────────────────────────────────────────────
export const RegistryTooDeepError = defineRegistryIssue(
  'RegistryTooDeepError',
  'AION_REGISTRY_TOO_DEEP',
  'unprocessable',
)

// ── ROUTER: choosing the route and engine of a task ─────────────────────────
/** Why one candidate engine was left out of a routing decision. */
export interface ExcludedEngine {
  readonly route: string
  readonly engine: string
  /** Stable upper-snake codes (`PRIVACY_LOCAL_ONLY`, `CIRCUIT_OPEN`, `BUDGET_EXCEEDED`, …). */
  readonly reasons: readonly string[]
}

export const RouterNoRouteError = defineError<{
  intent: string
  routes: readonly string[]
  excluded: readonly ExcludedEngine[]
}>('RouterNoRouteError', {
  code: 'AION_ROUTER_NO_ROUTE',
  kind: 'failed_precondition',
  retryable: false,
  message: (f) =>
    f.excluded.length === 0
      ? `no engine can serve intent "${f.intent}" on route(s) ${f.routes.join(', ')}`
      : `no engine can serve intent "${f.intent}": ${f.excluded
          .slice(0, 8)
          .map((e) => `${e.engine} (${e.reasons.join(', ')})`)
          .join('; ')}${f.excluded.length > 8 ? '; …' : ''}`,
})

export const RouterRouteNotAllowedError = defineError<{
  intent: string
  route: string
  candidates: readonly string[]
}>('RouterRouteNotAllowedError', {
  code: 'AION_ROUTER_ROUTE_NOT_ALLOWED',
  kind: 'unprocessable',
  retryable: false,
  message: (f) =>
    `route "${f.route}" is not allowed for intent "${f.intent}" (candidates: ${f.candidates.join(', ')})`,
})

export const RouterUnknownIntentError = defineError<{ intent: string }>(
  'RouterUnknownIntentError',
  {
    code: 'AION_ROUTER_UNKNOWN_INTENT',
    kind: 'unprocessable',
    retryable: false,
    message: (f) => `intent "${f.intent}" is not in the active intents registry`,
  },
)

// ── BUDGET: spending against a tenant's daily cap ────────────────────────────
export const BudgetExhaustedError = defineError<{
  tenantId: string
  capUsd: number
  spentUsd: number
  reservedUsd: number
  requestedUsd: number
}>('BudgetExhaustedError', {
  code: 'AION_BUDGET_EXHAUSTED',
  kind: 'resource_exhausted',
  retryable: false,
  message: (f) =>
    `tenant "${f.tenantId}" daily budget of ${f.capUsd} USD is exhausted (spent ${f.spentUsd}, reserved ${f.reservedUsd}, asked ${f.requestedUsd})`,
})

// ── AUTH: who is calling (API keys, JWT bearer tokens) and what they may do ──
export const AuthMissingError = defineError('AuthMissingError', {
  code: 'AION_AUTH_MISSING',
  kind: 'unauthenticated',
  retryable: false,
  message: () => 'credentials are required: send Authorization: Bearer <API key or JWT>',
})

export const AuthInvalidError = defineError<{ reason: string }>('AuthInvalidError', {
  code: 'AION_AUTH_INVALID',
  kind: 'unauthenticated',
  retryable: false,
  message: (f) => `credentials are invalid: ${f.reason}`,
})

export const AuthExpiredError = defineError('AuthExpiredError', {
  code: 'AION_AUTH_EXPIRED',
  kind: 'unauthenticated',
  retryable: false,
  message: () => 'the token has expired',
})

export const AuthNotYetValidError = defineError('AuthNotYetValidError', {
  code: 'AION_AUTH_NOT_YET_VALID',
  kind: 'unauthenticated',
  retryable: false,
  message: () => 'the token is not valid yet (nbf is in the future)',
})

export const AuthRevokedError = defineError<{ keyId: string }>('AuthRevokedError', {
  code: 'AION_AUTH_REVOKED',
  kind: 'unauthenticated',
  retryable: false,
  message: (f) => `API key ${f.keyId} has been revoked`,
})

export const AuthUnknownKeyIdError = defineError<{ kid: string | null }>('AuthUnknownKeyIdError', {
  code: 'AION_AUTH_UNKNOWN_KEY_ID',
  kind: 'unauthenticated',
  retryable: false,
  message: (f) =>
    f.kid === null
      ? 'no key of the issuer JWKS matches the token'
      : `the token's key id "${f.kid}" is not in the issuer JWKS`,
})

export const AuthForbiddenError = defineError<{ scope: string }>('AuthForbiddenError', {
  code: 'AION_AUTH_FORBIDDEN',
  kind: 'permission_denied',
  retryable: false,
  message: (f) => `the credential lacks the scope "${f.scope}"`,
})

/** A key may be given only scopes its creator holds (an admin cannot mint an operator key). */
export const AuthScopeNotGrantableError = defineError<{ scope: string }>(
  'AuthScopeNotGrantableError',
  {
    code: 'AION_AUTH_SCOPE_NOT_GRANTABLE',
    kind: 'permission_denied',
    retryable: false,
    message: (f) =>
      `the credential cannot grant the scope "${f.scope}": a key may hold only scopes its creator holds`,
  },
)

/** No API key with this id in the caller's tenant (another tenant's key is not revealed). */
export const ApiKeyNotFoundError = defineError<{ keyId: string }>('ApiKeyNotFoundError', {
  code: 'AION_AUTH_KEY_NOT_FOUND',
  kind: 'not_found',
  retryable: false,
  message: (f) => `API key ${f.keyId} not found`,
})

// ── RATE: request rate limits (token buckets per credential and per client IP)
export const RateLimitedError = defineError<{
  limit: 'per-ip' | 'per-credential'
  retryAfterSeconds: number
}>('RateLimitedError', {
  code: 'AION_RATE_LIMITED',
  kind: 'resource_exhausted',
  retryable: true,
  message: (f) => `rate limit ${f.limit} exceeded; retry in ${f.retryAfterSeconds} s`,
})

/**
 * The shared rate-limit store (Redis) is unreachable and `AION_REDIS_FAIL_MODE`
 * is `closed`: the request is refused rather than admitted unlimited.
 */
export const RateLimitUnavailableError = defineError<{ retryAfterSeconds: number }>(
  'RateLimitUnavailableError',
  {
    code: 'AION_RATE_LIMIT_UNAVAILABLE',
    kind: 'unavailable',
    retryable: true,
    message: (f) =>
      `rate limits cannot be checked now (their store is unreachable); retry in ${f.retryAfterSeconds} s`,
  },
)

// ── IDEMPOTENCY: the Idempotency-Key header ───────────────────────────────────
export const IdempotencyKeyInvalidError = defineError<{ reason: string }>(
  'IdempotencyKeyInvalidError',
  {
    code: 'AION_IDEMPOTENCY_KEY_INVALID',
    kind: 'invalid_argument',
    retryable: false,
    message: (f) => `Idempotency-Key is invalid: ${f.reason}`,
  },
)

export const IdempotencyKeyReusedError = defineError<{ idempotencyKey: string }>(
  'IdempotencyKeyReusedError',
  {
    code: 'AION_IDEMPOTENCY_KEY_REUSED',
    kind: 'unprocessable',
    retryable: false,
    message: (f) =>
      `Idempotency-Key "${f.idempotencyKey}" was already used with a different request body`,
  },
)

export const IdempotencyInProgressError = defineError<{
  idempotencyKey: string
  retryAfterSeconds: number
}>('IdempotencyInProgressError', {
  code: 'AION_IDEMPOTENCY_IN_PROGRESS',
  kind: 'conflict',
  retryable: true,
  message: (f) =>
    `a request with Idempotency-Key "${f.idempotencyKey}" is still in progress; retry in ${f.retryAfterSeconds} s`,
})

/**
 * The store of `Idempotency-Key`s is unreachable: a keyed request is refused,
 * never run without its key (it could then run twice).
 */
export const IdempotencyUnavailableError = defineError<{
  idempotencyKey: string
  retryAfterSeconds: number
}>('IdempotencyUnavailableError', {
  code: 'AION_IDEMPOTENCY_UNAVAILABLE',
  kind: 'unavailable',
  retryable: true,
  message: (f) =>
    `Idempotency-Key "${f.idempotencyKey}" cannot be checked now (its store is unreachable); retry in ${f.retryAfterSeconds} s`,
})

// ── CONTROL: the control plane (queue, orchestrator, drain) ─────────────────
export const ControlQueueFullError = defineError<{ capacity: number; retryAfterSeconds: number }>(
  'ControlQueueFullError',
  {
    code: 'AION_CONTROL_QUEUE_FULL',
    kind: 'unavailable',
    retryable: true,
    message: (f) =>
      `the task queue is full (${f.capacity} waiting); retry in ${f.retryAfterSeconds} s`,
  },
)

export const ControlDrainingError = defineError<{ retryAfterSeconds: number }>(
  'ControlDrainingError',
  {
    code: 'AION_CONTROL_DRAINING',
    kind: 'unavailable',
    retryable: true,
    message: () => 'the control plane is shutting down and takes no new work',
  },
)

export const CircuitOpenError = defineError<{ provider: string; retryAfterMs: number }>(
  'CircuitOpenError',
  {
    code: 'AION_CONTROL_CIRCUIT_OPEN',
    kind: 'unavailable',
    retryable: true,
    message: (f) =>
      `provider ${f.provider} is failing; its circuit is open for ${f.retryAfterMs} ms`,
  },
)

export const RouteUnsupportedError = defineError<{ kind: string; engine: string }>(
  'RouteUnsupportedError',
  {
    code: 'AION_ROUTE_UNSUPPORTED',
    kind: 'unimplemented',
    retryable: false,
    message: (f) => `${f.kind} engines (${f.engine}) cannot run yet`,
  },
)

export const EngineUnavailableError = defineError<{ engine: string; reason: string }>(
  'EngineUnavailableError',
  {
    code: 'AION_CONTROL_ENGINE_UNAVAILABLE',
    kind: 'unavailable',
    retryable: true,
    message: (f) => `engine ${f.engine} is unavailable: ${f.reason}`,
  },
)

export const ModelOutputInvalidError = defineError<{ engine: string; detail: string }>(
  'ModelOutputInvalidError',
  {
    code: 'AION_CONTROL_MODEL_OUTPUT_INVALID',
    kind: 'unavailable',
    retryable: true,
    message: (f) =>
      `engine ${f.engine} answered something that is not the JSON asked for: ${f.detail}`,
  },
)

// ── TASK (continued: submission and lifecycle) ───────────────────────────────
export const UnknownIntentError = defineError<{ intent: string; knownIntents: readonly string[] }>(
  'UnknownIntentError',
  {
    code: 'AION_TASK_UNKNOWN_INTENT',
    kind: 'unprocessable',
    retryable: false,
    message: (f) => `unknown intent ${f.intent}; known intents: ${f.knownIntents.join(', ')}`,
  },
)

export const TaskInterruptedError = defineError<{ taskId: string; status: string }>(
  'TaskInterruptedError',
  {
    code: 'AION_TASK_INTERRUPTED',
    kind: 'unavailable',
    retryable: true,
    message: (f) => `task ${f.taskId} was interrupted while ${f.status} (the process stopped)`,
  },
)

/** A programming error: code asked the task state machine for a transition its table has not. */
export const TaskTransitionIllegalError = defineError<{
  taskId: string
  from: string
  event: string
}>('TaskTransitionIllegalError', {
  code: 'AION_TASK_TRANSITION_ILLEGAL',
  kind: 'internal',
  retryable: false,
  message: (f) => `task ${f.taskId}: no transition "${f.event}" from ${f.from}`,
})

/** Scale-out: another control-plane process took the task over (this one's lease lapsed). */
export const TaskMovedError = defineError<{ taskId: string }>('TaskMovedError', {
  code: 'AION_TASK_MOVED',
  kind: 'unavailable',
  retryable: true,
  message: (f) =>
    `task ${f.taskId} is now run by another control-plane process; read it again by its id`,
})

export const TaskTimedOutError = defineError<{ taskId: string; timeoutMs: number }>(
  'TaskTimedOutError',
  {
    code: 'AION_TASK_TIMED_OUT',
    kind: 'deadline_exceeded',
    retryable: true,
    message: (f) => `task ${f.taskId} did not finish within ${f.timeoutMs} ms`,
  },
)

export const TaskCancelledError = defineError<{ taskId: string }>('TaskCancelledError', {
  code: 'AION_TASK_CANCELLED',
  kind: 'cancelled',
  retryable: false,
  message: (f) => `task ${f.taskId} was cancelled`,
})

// ── PROVIDER: model provider HTTP calls (messages never carry API keys) ──────
/** The upstream answered 429; `retryAfterSeconds` from its `Retry-After`, when sent. */
export const ProviderRateLimitedError = defineError<{
  provider: string
  retryAfterSeconds?: number
}>('ProviderRateLimitedError', {
  code: 'AION_PROVIDER_RATE_LIMITED',
  kind: 'resource_exhausted',
  retryable: true,
  message: (f) =>
    `${f.provider} rate-limited the call` +
    (f.retryAfterSeconds === undefined ? '' : `; retry after ${f.retryAfterSeconds} s`),
})

/** 5xx, connection refused or reset, or an error event inside a stream. */
export const ProviderUnavailableError = defineError<{
  provider: string
  status?: number
  reason: string
}>('ProviderUnavailableError', {
  code: 'AION_PROVIDER_UNAVAILABLE',
  kind: 'unavailable',
  retryable: true,
  message: (f) =>
    `${f.provider} is unavailable: ${f.status === undefined ? '' : `HTTP ${f.status} `}${f.reason}`,
})

/** 401/403: the configured credential was refused (a platform misconfiguration). */
export const ProviderAuthFailedError = defineError<{ provider: string; status: number }>(
  'ProviderAuthFailedError',
  {
    code: 'AION_PROVIDER_AUTH_FAILED',
    kind: 'failed_precondition',
    retryable: false,
    message: (f) => `${f.provider} refused the configured credential (HTTP ${f.status})`,
  },
)

/** Any other 4xx: the upstream refused the request itself. */
export const ProviderRejectedError = defineError<{
  provider: string
  status: number
  detail: string
}>('ProviderRejectedError', {
  code: 'AION_PROVIDER_REJECTED',
  kind: 'unprocessable',
  retryable: false,
  message: (f) => `${f.provider} rejected the request (HTTP ${f.status}): ${f.detail}`,
})

/** A body that is not the chat-completions shape (not JSON, no choices, a 3xx, …). */
export const ProviderBadResponseError = defineError<{ provider: string; detail: string }>(
  'ProviderBadResponseError',
  {
    code: 'AION_PROVIDER_BAD_RESPONSE',
    kind: 'unavailable',
    retryable: false,
    message: (f) => `${f.provider} sent a malformed response: ${f.detail}`,
  },
)

/** The per-call deadline fired; the HTTP call was aborted. */
export const ProviderTimeoutError = defineError<{ provider: string; timeoutMs: number }>(
  'ProviderTimeoutError',
  {
    code: 'AION_PROVIDER_TIMEOUT',
    kind: 'deadline_exceeded',
    retryable: true,
    message: (f) => `${f.provider} did not answer within ${f.timeoutMs} ms; the call was aborted`,
  },
)

/** A stream ended without its final marker; `deltas` were already yielded. */
export const ProviderStreamCutError = defineError<{ provider: string; deltas: number }>(
  'ProviderStreamCutError',
  {
    code: 'AION_PROVIDER_STREAM_CUT',
    kind: 'unavailable',
    retryable: true,
    message: (f) => `${f.provider} stream ended early, after ${f.deltas} deltas`,
  },
)

/** The caller aborted the call (task cancelled); the connection was closed. */
export const ProviderCancelledError = defineError<{ provider: string }>('ProviderCancelledError', {
  code: 'AION_PROVIDER_CANCELLED',
  kind: 'cancelled',
  retryable: false,
  message: (f) => `the ${f.provider} call was cancelled`,
})

/** A provider endpoint in settings cannot be used (not an http(s) URL). */
export const ProviderMisconfiguredError = defineError<{ provider: string; reason: string }>(
  'ProviderMisconfiguredError',
  {
    code: 'AION_PROVIDER_MISCONFIGURED',
    kind: 'invalid_argument',
    retryable: false,
    message: (f) => `provider ${f.provider} is misconfigured: ${f.reason}`,
  },
)

// ── EGRESS: outbound network calls (providers; module network host calls) ───
/** A call to a host outside the allow-list; `origin` only, never a path or query. */
export const EgressDeniedError = defineError<{ origin: string }>('EgressDeniedError', {
  code: 'AION_EGRESS_DENIED',
  kind: 'permission_denied',
  retryable: false,
  message: (f) => `egress to ${f.origin} is not allowed`,
})

/** An allow-list entry that is neither an origin, a host name nor `*.suffix`. */
export const EgressRuleInvalidError = defineError<{ rule: string }>('EgressRuleInvalidError', {
  code: 'AION_EGRESS_INVALID_RULE',
  kind: 'invalid_argument',
  retryable: false,
  message: (f) => `egress rule ${JSON.stringify(f.rule)} is not an origin, a host or *.suffix`,
})

/**
 * An outbound connection refused at connect time for the address its host
 * resolves to (link-local, metadata, unspecified always; loopback and private
 * unless allowed); no byte was sent.
 */
export const EgressAddressRefusedError = defineError<{
  host: string
  address: string
  category: string
  /** Which setting would allow it, with a leading space; empty when none may. */
  hint: string
}>('EgressAddressRefusedError', {
  code: 'AION_EGRESS_ADDRESS_REFUSED',
  kind: 'permission_denied',
  retryable: false,
  message: (f) =>
    `connection to ${f.host} refused: it resolves to ${f.address}, a ${f.category} address${f.hint}`,
})

/** A redirect to another origin that is not followed (only OCI blob downloads are). */
export const EgressRedirectRefusedError = defineError<{ from: string; to: string }>(
  'EgressRedirectRefusedError',
  {
    code: 'AION_EGRESS_REDIRECT_REFUSED',
    kind: 'permission_denied',
    retryable: false,
    message: (f) => `redirect from ${f.from} to another host (${f.to}) is not followed`,
  },
)

/**
 * A call that must stay on the premises (privacy local-only, or hybrid before
 * redaction) whose endpoint resolves outside AION_LOCAL_NETWORKS; no byte was sent.
 */
export const EgressNotLocalError = defineError<{ host: string; address: string; networks: string }>(
  'EgressNotLocalError',
  {
    code: 'AION_EGRESS_NOT_LOCAL',
    kind: 'permission_denied',
    retryable: false,
    message: (f) =>
      `local-only call to ${f.host} refused: it resolves to ${f.address}, outside the on-premises networks (AION_LOCAL_NETWORKS=${f.networks})`,
  },
)

// ── MODULE: AIP packages and the module executors ───────────────────────────
export const ModuleNotFoundError = defineError<{ module: string }>('ModuleNotFoundError', {
  code: 'AION_MODULE_NOT_FOUND',
  kind: 'not_found',
  retryable: false,
  message: (f) => `module ${f.module} is not installed`,
})

export const ModuleInputInvalidError = defineError<{
  module: string
  violations: readonly Violation[]
}>('ModuleInputInvalidError', {
  code: 'AION_MODULE_INPUT_INVALID',
  kind: 'unprocessable',
  retryable: false,
  message: (f) =>
    `input for module ${f.module} is invalid: ` +
    f.violations.map((v) => `${v.path || '/'} ${v.message}`).join('; '),
})

/** The module answered, but not with output its own output schema allows. */
export const ModuleOutputInvalidError = defineError<{
  module: string
  violations: readonly Violation[]
}>('ModuleOutputInvalidError', {
  code: 'AION_MODULE_OUTPUT_INVALID',
  kind: 'internal',
  retryable: false,
  message: (f) =>
    `module ${f.module} returned invalid output: ` +
    f.violations.map((v) => `${v.path || '/'} ${v.message}`).join('; '),
})

export const ModuleOutputTooLargeError = defineError<{ module: string; limitBytes: number }>(
  'ModuleOutputTooLargeError',
  {
    code: 'AION_MODULE_OUTPUT_TOO_LARGE',
    kind: 'internal',
    retryable: false,
    message: (f) => `module ${f.module} wrote more than ${f.limitBytes} bytes to stdout`,
  },
)

export const ModuleTimeoutError = defineError<{ module: string; timeoutMs: number }>(
  'ModuleTimeoutError',
  {
    code: 'AION_MODULE_TIMEOUT',
    kind: 'deadline_exceeded',
    retryable: true,
    message: (f) => `module ${f.module} ran past ${f.timeoutMs} ms and was killed`,
  },
)

export const ModuleCancelledError = defineError<{ module: string }>('ModuleCancelledError', {
  code: 'AION_MODULE_CANCELLED',
  kind: 'cancelled',
  retryable: false,
  message: (f) => `module ${f.module} was cancelled and its instance killed`,
})

/** The instance trapped (or its worker died) instead of exiting. */
export const ModuleCrashedError = defineError<{ module: string; detail: string }>(
  'ModuleCrashedError',
  {
    code: 'AION_MODULE_CRASHED',
    kind: 'internal',
    retryable: false,
    message: (f) => `module ${f.module} crashed: ${f.detail}`,
  },
)

/** The module exited non-zero; `moduleCode` and `detail` are what it reported. */
export const ModuleFailedError = defineError<{
  module: string
  exitCode: number
  moduleCode: string
  detail: string
}>('ModuleFailedError', {
  code: 'AION_MODULE_FAILED',
  kind: 'unprocessable',
  retryable: false,
  message: (f) => `module ${f.module} failed (${f.moduleCode}): ${f.detail}`,
})

/** A package failed a check at load time; it is quarantined, never run. */
export const ModulePackageInvalidError = defineError<{
  package: string
  file: string
  violations: readonly Violation[]
}>('ModulePackageInvalidError', {
  code: 'AION_MODULE_PACKAGE_INVALID',
  kind: 'failed_precondition',
  retryable: false,
  message: (f) =>
    `package ${f.package}: ${f.file}: ` +
    f.violations.map((v) => `${v.path ? `${v.path} ` : ''}${v.message}`).join('; '),
})

export const ModuleExecutorClosedError = defineError<{ module: string }>(
  'ModuleExecutorClosedError',
  {
    code: 'AION_MODULE_EXECUTOR_CLOSED',
    kind: 'unavailable',
    retryable: true,
    message: (f) => `the module executor is closed; module ${f.module} did not run`,
  },
)

// ── REQUEST (gateway) ────────────────────────────────────────────────────────
export const UnsupportedMediaTypeError = defineError<{ contentType: string }>(
  'UnsupportedMediaTypeError',
  {
    code: 'AION_REQUEST_UNSUPPORTED_MEDIA_TYPE',
    kind: 'unsupported_media_type',
    retryable: false,
    message: () => 'request body must be application/json',
  },
)

/** The path exists, under other methods (listed in `allow` and the `Allow` header). */
export const MethodNotAllowedError = defineError<{ method: string; allow: readonly string[] }>(
  'MethodNotAllowedError',
  {
    code: 'AION_REQUEST_METHOD_NOT_ALLOWED',
    kind: 'method_not_allowed',
    retryable: false,
    message: (f) => `${f.method} is not allowed here; use ${f.allow.join(', ')}`,
  },
)

/** A JSON body nested deeper than `AION_JSON_MAX_DEPTH`, refused before anything walks it. */
export const BodyTooDeepError = defineError<{ maxDepth: number }>('BodyTooDeepError', {
  code: 'AION_REQUEST_BODY_TOO_DEEP',
  kind: 'invalid_argument',
  retryable: false,
  message: (f) => `request body nests arrays and objects deeper than ${f.maxDepth} levels`,
})

/** The request line or headers exceed what the HTTP parser takes. */
export const HeadersTooLargeError = defineError('HeadersTooLargeError', {
  code: 'AION_REQUEST_HEADERS_TOO_LARGE',
  kind: 'headers_too_large',
  retryable: false,
  message: () => 'request headers are too large',
})

/** Not HTTP the server can read (a bad request line, header or framing). */
export const MalformedHttpError = defineError<{ reason: string }>('MalformedHttpError', {
  code: 'AION_REQUEST_MALFORMED_HTTP',
  kind: 'invalid_argument',
  retryable: false,
  message: (f) => `the request is not well-formed HTTP: ${f.reason}`,
})

/** A URL that does not decode (bad percent-encoding). */
export const BadUrlError = defineError<{ url: string }>('BadUrlError', {
  code: 'AION_REQUEST_BAD_URL',
  kind: 'invalid_argument',
  retryable: false,
  message: () => 'the request URL is not validly percent-encoded',
})

/** A path parameter longer than the router takes. */
export const UrlTooLongError = defineError('UrlTooLongError', {
  code: 'AION_REQUEST_URL_TOO_LONG',
  kind: 'uri_too_long',
  retryable: false,
  message: () => 'a path segment of the request URL is too long',
})

/** The client did not send the whole request in time. */
export const RequestTimeoutError = defineError('RequestTimeoutError', {
  code: 'AION_REQUEST_TIMEOUT',
  kind: 'request_timeout',
  retryable: true,
  message: () => 'the request was not received in time',
})

// ── MODULE: subprocess sandbox, GPU placement, package archives ─────────────
/** Subprocess packages are refused: the sandbox (bubblewrap, cgroups, rlimits) cannot be set up here. */
export const ModuleSandboxUnavailableError = defineError<{ module: string; reason: string }>(
  'ModuleSandboxUnavailableError',
  {
    code: 'AION_MODULE_SANDBOX_UNAVAILABLE',
    kind: 'unavailable',
    retryable: false,
    message: (f) =>
      `module ${f.module} runs as a sandboxed subprocess, and the sandbox is unavailable on this host: ${f.reason}`,
  },
)

/** A sandboxed subprocess hit a cgroup or rlimit limit (pids, cpu time, file size) and was killed; memory is AION_MODULE_MEMORY_EXCEEDED. */
export const ModuleSandboxLimitError = defineError<{
  module: string
  resource: 'pids' | 'cpu_time' | 'file_size'
  limit: string
}>('ModuleSandboxLimitError', {
  code: 'AION_MODULE_SANDBOX_LIMIT_EXCEEDED',
  kind: 'resource_exhausted',
  retryable: false,
  message: (f) =>
    `module ${f.module} exceeded its ${f.resource} limit (${f.limit}) and was stopped`,
})

/** No free device matches a module's `runtime.resources.gpu`; the router can check this before routing. */
export const ModuleGpuUnavailableError = defineError<{
  module: string
  vendor: string
  count: number
  reason: string
}>('ModuleGpuUnavailableError', {
  code: 'AION_MODULE_GPU_UNAVAILABLE',
  kind: 'unavailable',
  retryable: true,
  message: (f) =>
    `module ${f.module} needs ${f.count} ${f.vendor} GPU${f.count === 1 ? '' : 's'}: ${f.reason}`,
})

/** Fields of an error raised for one problem in a package archive (`.tar`, `.tar.gz`, `.tgz`). */
export interface ModuleArchiveIssueFields {
  /** The archive file's name. */
  readonly archive: string
  /** The offending entry's path as written in the archive; `''` for the whole archive. */
  readonly entry: string
  readonly detail: string
  readonly [field: string]: unknown
}

function defineModuleArchiveIssue(
  name: string,
  code: string,
  kind: Parameters<typeof defineError>[1]['kind'],
) {
  return defineError<ModuleArchiveIssueFields>(name, {
    code,
    kind,
    retryable: false,
    message: (f) => `package archive ${f.archive}${f.entry ? `: ${f.entry}` : ''}: ${f.detail}`,
  })
}

export const ModuleArchiveUnreadableError = defineModuleArchiveIssue(
  'ModuleArchiveUnreadableError',
  'AION_MODULE_ARCHIVE_UNREADABLE',
  'unprocessable',
)
export const ModuleArchiveAbsolutePathError = defineModuleArchiveIssue(
  'ModuleArchiveAbsolutePathError',
  'AION_MODULE_ARCHIVE_ABSOLUTE_PATH',
  'unprocessable',
)
export const ModuleArchiveParentPathError = defineModuleArchiveIssue(
  'ModuleArchiveParentPathError',
  'AION_MODULE_ARCHIVE_PARENT_PATH',
  'unprocessable',
)
export const ModuleArchiveLinkOutsideError = defineModuleArchiveIssue(
  'ModuleArchiveLinkOutsideError',
  'AION_MODULE_ARCHIVE_LINK_OUTSIDE',
  'unprocessable',
)
export const ModuleArchiveSpecialFileError = defineModuleArchiveIssue(
  'ModuleArchiveSpecialFileError',
  'AION_MODULE_ARCHIVE_SPECIAL_FILE',
  'unprocessable',
)
export const ModuleArchiveSetuidError = defineModuleArchiveIssue(
  'ModuleArchiveSetuidError',
  'AION_MODULE_ARCHIVE_SETUID',
  'unprocessable',
)
export const ModuleArchiveEntryTooLargeError = defineModuleArchiveIssue(
  'ModuleArchiveEntryTooLargeError',
  'AION_MODULE_ARCHIVE_ENTRY_TOO_LARGE',
  'payload_too_large',
)
export const ModuleArchiveTooLargeError = defineModuleArchiveIssue(
  'ModuleArchiveTooLargeError',
  'AION_MODULE_ARCHIVE_TOO_LARGE',
  'payload_too_large',
)
export const ModuleArchiveTooManyEntriesError = defineModuleArchiveIssue(
  'ModuleArchiveTooManyEntriesError',
  'AION_MODULE_ARCHIVE_TOO_MANY_ENTRIES',
  'payload_too_large',
)

/** A secret a module declares as required (`permissions.secrets` without `?`) is not configured. */
export const ModuleSecretMissingError = defineError<{ module: string; secret: string }>(
  'ModuleSecretMissingError',
  {
    code: 'AION_MODULE_SECRET_MISSING',
    kind: 'failed_precondition',
    retryable: false,
    message: (f) =>
      `module ${f.module} requires secret ${f.secret}, which is not configured (AION_MODULE_SECRET_${f.secret})`,
  },
)

/** A module ran out of memory at its limit: a WASM instance failed at its declared maximum, a subprocess hit its cgroup's memory limit. */
export const ModuleMemoryExceededError = defineError<{ module: string; memoryBytes: number }>(
  'ModuleMemoryExceededError',
  {
    code: 'AION_MODULE_MEMORY_EXCEEDED',
    kind: 'resource_exhausted',
    retryable: false,
    message: (f) => `module ${f.module} ran out of memory at its limit of ${f.memoryBytes} bytes`,
  },
)

// ── PIPELINE: declared pipelines (modules.yml), run step by step ─────────────
/** A step failed for good; `step` is its zero-based index (as in stream events), `causeCode` the step's own error. */
export const PipelineStepFailedError = defineError<{
  pipeline: string
  step: number
  stepName: string
  causeCode: string
  detail: string
}>('PipelineStepFailedError', {
  code: 'AION_PIPELINE_STEP_FAILED',
  kind: 'unprocessable',
  retryable: false,
  message: (f) =>
    `pipeline ${f.pipeline}: step ${f.step} (${f.stepName}) failed: ${f.causeCode}: ${f.detail}`,
})

/** A step failed in a way another try may not (a provider error, a module timeout). */
export const PipelineStepUnavailableError = defineError<{
  pipeline: string
  step: number
  stepName: string
  causeCode: string
  detail: string
}>('PipelineStepUnavailableError', {
  code: 'AION_PIPELINE_STEP_UNAVAILABLE',
  kind: 'unavailable',
  retryable: true,
  message: (f) =>
    `pipeline ${f.pipeline}: step ${f.step} (${f.stepName}) is unavailable: ${f.causeCode}: ${f.detail}`,
})

/** Running the step would send data where the task's privacy mode forbids; nothing was sent. */
export const PipelinePrivacyRefusedError = defineError<{
  pipeline: string
  step: number
  model: string
  privacy: string
  reason: string
}>('PipelinePrivacyRefusedError', {
  code: 'AION_PIPELINE_PRIVACY_REFUSED',
  kind: 'failed_precondition',
  retryable: false,
  message: (f) =>
    `pipeline ${f.pipeline}: step ${f.step} would send ${f.privacy} data to cloud model ${f.model} ${f.reason}; nothing was sent`,
})

// ── MODULE: aionctl modules (inspect, run, install) ─────────────────────────
/** What `aionctl modules` was given is no package directory, archive or installed package. */
export const ModuleSourceNotFoundError = defineError<{ source: string; packagesDir: string }>(
  'ModuleSourceNotFoundError',
  {
    code: 'AION_MODULE_SOURCE_NOT_FOUND',
    kind: 'not_found',
    retryable: false,
    message: (f) =>
      `${f.source} is no package directory, no package archive (.tar, .tar.gz, .tgz) and no package installed in ${f.packagesDir}`,
  },
)

/** Install found every problem of the package (listed separately) and installed nothing. */
export const ModuleInstallRefusedError = defineError<{ source: string; problems: number }>(
  'ModuleInstallRefusedError',
  {
    code: 'AION_MODULE_INSTALL_REFUSED',
    kind: 'failed_precondition',
    retryable: false,
    message: (f) => `${f.source} was not installed: ${f.problems} problem(s)`,
  },
)

/** Another package of the same name is installed with different content. */
export const ModuleInstallConflictError = defineError<{
  module: string
  dir: string
  installedVersion: string
  installedDigest: string
  digest: string
}>('ModuleInstallConflictError', {
  code: 'AION_MODULE_INSTALL_CONFLICT',
  kind: 'conflict',
  retryable: false,
  message: (f) =>
    `module ${f.module} ${f.installedVersion} is already installed in ${f.dir} with other content ` +
    `(${f.installedDigest}, not ${f.digest}); pass --replace to replace it`,
})

/** A command's input file could not be read or is not the JSON it must be. */
export const CliInputInvalidError = defineError<{ file: string; detail: string }>(
  'CliInputInvalidError',
  {
    code: 'AION_CLI_INPUT_INVALID',
    kind: 'invalid_argument',
    retryable: false,
    message: (f) => `input ${f.file}: ${f.detail}`,
  },
)

/** `aionctl modules run` could not build a source package's missing WASM module. */
export const ModuleBuildFailedError = defineError<{ dir: string; detail: string }>(
  'ModuleBuildFailedError',
  {
    code: 'AION_MODULE_BUILD_FAILED',
    kind: 'failed_precondition',
    retryable: false,
    message: (f) =>
      `building the WASM module of ${f.dir} failed: ${f.detail} (npm run build:modules builds every module)`,
  },
)

// ── SIGNING: cosign-compatible keys and signatures ───────────────────────────
/** A key file is no cosign key we can read: PEM label, JSON envelope, KDF or cipher. */
export const SigningKeyInvalidError = defineError<{ file: string; detail: string }>(
  'SigningKeyInvalidError',
  {
    code: 'AION_SIGNING_KEY_INVALID',
    kind: 'invalid_argument',
    retryable: false,
    message: (f) => `key ${f.file}: ${f.detail}`,
  },
)

/** The password does not open the encrypted private key (secretbox authentication failed). */
export const SigningKeyPasswordWrongError = defineError<{ file: string }>(
  'SigningKeyPasswordWrongError',
  {
    code: 'AION_SIGNING_KEY_PASSWORD_WRONG',
    kind: 'invalid_argument',
    retryable: false,
    message: (f) => `the password does not decrypt the private key ${f.file}`,
  },
)

/** A password is needed, COSIGN_PASSWORD is unset and there is no terminal to ask on. */
export const SigningPasswordMissingError = defineError<{ file: string }>(
  'SigningPasswordMissingError',
  {
    code: 'AION_SIGNING_PASSWORD_MISSING',
    kind: 'failed_precondition',
    retryable: false,
    message: (f) =>
      `a password is needed for ${f.file}: set COSIGN_PASSWORD or run on a terminal to be asked`,
  },
)

/** Verification was asked for with no trusted public key to verify against. */
export const SignatureNoTrustedKeysError = defineError('SignatureNoTrustedKeysError', {
  code: 'AION_SIGNATURE_NO_TRUSTED_KEYS',
  kind: 'failed_precondition',
  retryable: false,
  message: () => 'no trusted public key is configured to verify signatures against',
})

/** The artifact has no cosign signature (no `sha256-<hex>.sig` manifest, or one without layers). */
export const SignatureNotFoundError = defineError<{ reference: string; digest: string }>(
  'SignatureNotFoundError',
  {
    code: 'AION_SIGNATURE_NOT_FOUND',
    kind: 'not_found',
    retryable: false,
    message: (f) => `${f.reference} (${f.digest}) has no signature`,
  },
)

/** No signature of the artifact verifies with any trusted key: another signer, or altered bytes. */
export const SignatureUntrustedError = defineError<{
  reference: string
  digest: string
  signatures: number
}>('SignatureUntrustedError', {
  code: 'AION_SIGNATURE_UNTRUSTED',
  kind: 'permission_denied',
  retryable: false,
  message: (f) =>
    `none of the ${f.signatures} signature(s) of ${f.reference} (${f.digest}) verifies with a trusted key`,
})

/** A trusted key signed a payload that names another manifest digest than the artifact's. */
export const SignatureDigestMismatchError = defineError<{
  reference: string
  digest: string
  signedDigest: string
  keyId: string
}>('SignatureDigestMismatchError', {
  code: 'AION_SIGNATURE_DIGEST_MISMATCH',
  kind: 'permission_denied',
  retryable: false,
  message: (f) =>
    `the signature by key ${f.keyId} on ${f.reference} is over ${f.signedDigest}, not ${f.digest}`,
})

/** A signature layer's payload blob is not the bytes its descriptor names (digest or size). */
export const SignaturePayloadTamperedError = defineError<{
  reference: string
  layerDigest: string
  actualDigest: string
}>('SignaturePayloadTamperedError', {
  code: 'AION_SIGNATURE_PAYLOAD_TAMPERED',
  kind: 'permission_denied',
  retryable: false,
  message: (f) =>
    `a signature payload of ${f.reference} was altered: its layer names ${f.layerDigest}, the blob is ${f.actualDigest}`,
})

/** A signed payload is not cosign's simple-signing JSON. */
export const SignaturePayloadInvalidError = defineError<{ detail: string }>(
  'SignaturePayloadInvalidError',
  {
    code: 'AION_SIGNATURE_PAYLOAD_INVALID',
    kind: 'unprocessable',
    retryable: false,
    message: (f) => `the signature payload is not a cosign simple-signing payload: ${f.detail}`,
  },
)

/** The manifest at the signature tag is not a cosign signature manifest. */
export const SignatureManifestInvalidError = defineError<{ reference: string; detail: string }>(
  'SignatureManifestInvalidError',
  {
    code: 'AION_SIGNATURE_MANIFEST_INVALID',
    kind: 'unprocessable',
    retryable: false,
    message: (f) => `the signature manifest of ${f.reference} is invalid: ${f.detail}`,
  },
)

// ── SBOM: CycloneDX software bills of materials ─────────────────────────────
/** A CycloneDX document failed the CycloneDX 1.6 JSON schema. */
export const SbomInvalidError = defineError<{ violations: readonly Violation[] }>(
  'SbomInvalidError',
  {
    code: 'AION_SBOM_INVALID',
    kind: 'unprocessable',
    retryable: false,
    message: (f) =>
      `the SBOM is not valid CycloneDX 1.6: ${f.violations.map((v) => `${v.path || '/'} ${v.message}`).join('; ')}`,
  },
)

/** The artifact has no SBOM attached (neither a referrer nor a `sha256-<hex>.sbom` tag). */
export const SbomNotFoundError = defineError<{ reference: string; digest: string }>(
  'SbomNotFoundError',
  {
    code: 'AION_SBOM_NOT_FOUND',
    kind: 'not_found',
    retryable: false,
    message: (f) => `${f.reference} (${f.digest}) has no SBOM attached`,
  },
)

// ── OCI: package distribution through OCI registries (pack, push, pull) ──────
/** Fields of an error about one registry exchange. */
export interface OciIssueFields {
  /** `host[:port]` of the registry. */
  readonly registry: string
  /** Repository inside the registry; `''` when the exchange is not about one. */
  readonly repository: string
  readonly detail: string
  readonly [field: string]: unknown
}

function defineOciIssue(
  name: string,
  code: string,
  kind: Parameters<typeof defineError>[1]['kind'],
  retryable = false,
) {
  return defineError<OciIssueFields>(name, {
    code,
    kind,
    retryable,
    message: (f) => `registry ${f.registry}${f.repository ? `/${f.repository}` : ''}: ${f.detail}`,
  })
}

/** A reference is not `host[:port]/repository[:tag|@digest]`. */
export const OciReferenceInvalidError = defineError<{ reference: string; detail: string }>(
  'OciReferenceInvalidError',
  {
    code: 'AION_OCI_REFERENCE_INVALID',
    kind: 'invalid_argument',
    retryable: false,
    message: (f) => `${JSON.stringify(f.reference)} is no OCI reference: ${f.detail}`,
  },
)

/** Plain HTTP to a registry that is neither loopback nor listed in AION_REGISTRY_INSECURE. */
export const OciInsecureRefusedError = defineOciIssue(
  'OciInsecureRefusedError',
  'AION_OCI_INSECURE_REFUSED',
  'failed_precondition',
)
/** The registry (or its token service) wants credentials: none are configured, or it refused them. */
export const OciUnauthorizedError = defineOciIssue(
  'OciUnauthorizedError',
  'AION_OCI_UNAUTHORIZED',
  'unauthenticated',
)
/** The registry knows who we are and refuses the operation (403). */
export const OciDeniedError = defineOciIssue(
  'OciDeniedError',
  'AION_OCI_DENIED',
  'permission_denied',
)
/** No such repository, tag, manifest or blob (404). */
export const OciNotFoundError = defineOciIssue(
  'OciNotFoundError',
  'AION_OCI_NOT_FOUND',
  'not_found',
)
/** Content's SHA-256 differs from the digest it was asked for or announced with; nothing of it is kept. */
export const OciDigestMismatchError = defineOciIssue(
  'OciDigestMismatchError',
  'AION_OCI_DIGEST_MISMATCH',
  'unprocessable',
)
/** Content's length differs from the size its descriptor announces. */
export const OciSizeMismatchError = defineOciIssue(
  'OciSizeMismatchError',
  'AION_OCI_SIZE_MISMATCH',
  'unprocessable',
)
/** A descriptor announces a blob (or manifest) over the configured maximum: refused before downloading. */
export const OciBlobTooLargeError = defineOciIssue(
  'OciBlobTooLargeError',
  'AION_OCI_BLOB_TOO_LARGE',
  'payload_too_large',
)
/** A manifest is not valid JSON or not the structure its media type demands. */
export const OciManifestInvalidError = defineOciIssue(
  'OciManifestInvalidError',
  'AION_OCI_MANIFEST_INVALID',
  'unprocessable',
)
/** A manifest, config, layer or artifact type other than the one expected. */
export const OciMediaTypeUnsupportedError = defineOciIssue(
  'OciMediaTypeUnsupportedError',
  'AION_OCI_MEDIA_TYPE_UNSUPPORTED',
  'unprocessable',
)
/** The registry answered 5xx or 429, or could not be reached; another try may succeed. */
export const OciRegistryUnavailableError = defineOciIssue(
  'OciRegistryUnavailableError',
  'AION_OCI_REGISTRY_UNAVAILABLE',
  'unavailable',
  true,
)
/** The registry stalled past AION_REGISTRY_TIMEOUT_MS (headers or body); another try may succeed. */
export const OciRegistryTimeoutError = defineOciIssue(
  'OciRegistryTimeoutError',
  'AION_OCI_REGISTRY_TIMEOUT',
  'deadline_exceeded',
  true,
)
/** The registry refused a request for a reason of its own (4xx other than 401/403/404/429). */
export const OciRequestRejectedError = defineOciIssue(
  'OciRequestRejectedError',
  'AION_OCI_REQUEST_REJECTED',
  'unprocessable',
)

/** The Docker-style credentials file (AION_REGISTRY_AUTH_FILE) exists but cannot be used. */
export const OciCredentialsInvalidError = defineError<{ file: string; detail: string }>(
  'OciCredentialsInvalidError',
  {
    code: 'AION_OCI_CREDENTIALS_INVALID',
    kind: 'failed_precondition',
    retryable: false,
    message: (f) => `registry credentials file ${f.file}: ${f.detail}`,
  },
)

/** `pack` (and `push` of a directory) found problems in the package (listed separately) and packed nothing. */
export const OciPackRefusedError = defineError<{ source: string; problems: number }>(
  'OciPackRefusedError',
  {
    code: 'AION_OCI_PACK_REFUSED',
    kind: 'failed_precondition',
    retryable: false,
    message: (f) => `${f.source} was not packed: ${f.problems} problem(s)`,
  },
)

/** `pull -o` names a file or a non-empty directory that is already there. */
export const OciOutputExistsError = defineError<{ path: string }>('OciOutputExistsError', {
  code: 'AION_OCI_OUTPUT_EXISTS',
  kind: 'conflict',
  retryable: false,
  message: (f) => `${f.path} already exists (and is not an empty directory); nothing was written`,
})

// ── SIGNING: aionctl keygen ──────────────────────────────────────────────────
/** `aionctl keygen` would overwrite a key file; nothing was written. */
export const SigningKeyExistsError = defineError<{ path: string }>('SigningKeyExistsError', {
  code: 'AION_SIGNING_KEY_EXISTS',
  kind: 'conflict',
  retryable: false,
  message: (f) => `${f.path} already exists; nothing was written (pass --force to replace it)`,
})

/** The password typed twice at `aionctl keygen` differs. */
export const SigningPasswordMismatchError = defineError('SigningPasswordMismatchError', {
  code: 'AION_SIGNING_PASSWORD_MISMATCH',
  kind: 'invalid_argument',
  retryable: false,
  message: () => 'the two passwords differ; nothing was written',
})

// ── OBJECT: the object-store port (packages, quarantine, assets) ─────────────
/** An object key is not one the store accepts (S3-safe characters, no `..`, no leading `/`). */
export const ObjectKeyInvalidError = defineError<{ key: string; detail: string }>(
  'ObjectKeyInvalidError',
  {
    code: 'AION_OBJECT_KEY_INVALID',
    kind: 'invalid_argument',
    retryable: false,
    message: (f) => `object key ${JSON.stringify(f.key)} is invalid: ${f.detail}`,
  },
)

/** The bytes given to `put` are not those of the digest the caller expected; nothing was stored. */
export const ObjectDigestMismatchError = defineError<{
  key: string
  expectedDigest: string
  digest: string
}>('ObjectDigestMismatchError', {
  code: 'AION_OBJECT_DIGEST_MISMATCH',
  kind: 'unprocessable',
  retryable: false,
  message: (f) =>
    `object ${f.key} was not stored: its bytes are ${f.digest}, not ${f.expectedDigest}`,
})

/** The object store could not be read or written (disk, permissions, service down). */
export const ObjectStoreUnavailableError = defineError<{ key: string; detail: string }>(
  'ObjectStoreUnavailableError',
  {
    code: 'AION_OBJECT_STORE_UNAVAILABLE',
    kind: 'unavailable',
    retryable: true,
    message: (f) => `the object store failed on ${JSON.stringify(f.key)}: ${f.detail}`,
  },
)

// ── MODULE: installs from a registry (aionctl install, POST /v1/admin/modules/install) ──
/**
 * A package failed a verification or validation step of the install and was
 * quarantined: kept with its reason, never extracted, never run.
 */
export const ModuleQuarantinedError = defineError<{
  reference: string
  module: string
  version: string
  digest: string
  /** The code of the step that failed (`AION_SIGNATURE_UNTRUSTED`, `AION_OCI_DIGEST_MISMATCH`, …). */
  reasonCode: string
  reason: string
}>('ModuleQuarantinedError', {
  code: 'AION_MODULE_QUARANTINED',
  kind: 'unprocessable',
  retryable: false,
  message: (f) =>
    `${f.reference} (${f.module} ${f.version}, ${f.digest}) was quarantined: ${f.reasonCode}: ${f.reason}`,
})

/** The package inside the artifact is not the one its annotations announce (name, version or runtime). */
export const ModuleArtifactMismatchError = defineError<{
  reference: string
  field: string
  announced: string
  actual: string
}>('ModuleArtifactMismatchError', {
  code: 'AION_MODULE_ARTIFACT_MISMATCH',
  kind: 'unprocessable',
  retryable: false,
  message: (f) =>
    `${f.reference} announces ${f.field} ${JSON.stringify(f.announced)} but its package declares ${JSON.stringify(f.actual)}`,
})

/** Object metadata the store cannot keep: keys of `a–z 0–9 -`, printable ASCII values, 2 KiB in all. */
export const ObjectMetadataInvalidError = defineError<{ key: string; detail: string }>(
  'ObjectMetadataInvalidError',
  {
    code: 'AION_OBJECT_METADATA_INVALID',
    kind: 'invalid_argument',
    retryable: false,
    message: (f) => `metadata of object ${JSON.stringify(f.key)} is invalid: ${f.detail}`,
  },
)

/** This control plane was started without what installs need (object store, packages directory). */
export const ModuleInstallUnavailableError = defineError('ModuleInstallUnavailableError', {
  code: 'AION_MODULE_INSTALL_UNAVAILABLE',
  kind: 'unimplemented',
  retryable: false,
  message: () => 'this control plane does not install packages from registries',
})

// ── SERVER and CLI: what a user starting or calling the platform meets ──────
/** The gateway could not listen on its address (taken, not allowed, not on this host). */
export const ListenFailedError = defineError<{ address: string; reason: string; hint: string }>(
  'ListenFailedError',
  {
    code: 'AION_SERVER_LISTEN_FAILED',
    kind: 'unavailable',
    retryable: false,
    message: (f) => `cannot listen on ${f.address}: ${f.reason}; ${f.hint}`,
  },
)

/** `aionctl` could not reach the platform at its URL. */
export const CliPlatformUnreachableError = defineError<{ url: string; reason: string }>(
  'CliPlatformUnreachableError',
  {
    code: 'AION_CLI_PLATFORM_UNREACHABLE',
    kind: 'unavailable',
    retryable: true,
    message: (f) =>
      `no platform answers at ${f.url} (${f.reason}): start it with \`npm start\`, or point --url or AION_URL at it`,
  },
)
