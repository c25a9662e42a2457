import {
  isAionError,
  StoreConflictError,
  StoreUnavailableError,
  StoreValueUnsupportedError,
} from '../../core/errors/index.js'

/** Node socket errors meaning the server cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'EPIPE',
])

/**
 * SQLSTATEs meaning "not now" rather than "wrong request": connection
 * exceptions (class 08), server shutdown (57P01–57P03), too many connections
 * (53300), missing database (3D000) and rejected credentials (28000, 28P01).
 */
function isUnavailableState(code: string): boolean {
  return (
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', '53300', '3D000', '28000', '28P01'].includes(code)
  )
}

interface PgLikeError {
  code?: unknown
  table?: unknown
  constraint?: unknown
  detail?: unknown
  errors?: unknown
  message?: unknown
}

function codeOf(error: unknown): string | undefined {
  const e = error as PgLikeError | null
  if (typeof e?.code === 'string') return e.code
  // Node reports each refused address of a dual-stack host inside an AggregateError.
  if (Array.isArray(e?.errors)) return codeOf(e.errors[0])
  return undefined
}

/**
 * Translates a `pg` error: unique violation (23505) → `StoreConflictError`
 * naming the table and the key from the server's detail; unreachable server,
 * lost connection or refused login → `StoreUnavailableError`; a NUL character
 * in a JSON string (22P05, jsonb cannot hold it) → `StoreValueUnsupportedError`. Anything else
 * is returned unchanged.
 */
export function translatePostgresError(error: unknown): unknown {
  if (isAionError(error)) return error
  const e = error as PgLikeError | null
  const code = codeOf(error)
  if (code === '23505') {
    const entity = typeof e?.table === 'string' ? e.table : 'row'
    const detail =
      typeof e?.detail === 'string' ? /^Key (.*) already exists\.?$/.exec(e.detail)?.[1] : undefined
    const key = detail ?? (typeof e?.constraint === 'string' ? e.constraint : 'unknown')
    return new StoreConflictError({ entity, key }, { cause: error })
  }
  if (code === '22P05') {
    // jsonb cannot hold U+0000 in a string; SQLite can, so callers must not rely on it.
    const reason = 'JSON strings may not contain the NUL character (\\u0000)'
    return new StoreValueUnsupportedError({ engine: 'postgres', reason }, { cause: error })
  }
  const lostConnection =
    typeof e?.message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect/i.test(e.message)
  if (
    (code !== undefined && (NETWORK_CODES.has(code) || isUnavailableState(code))) ||
    lostConnection
  ) {
    return new StoreUnavailableError({ engine: 'postgres' }, { cause: error })
  }
  return error
}
