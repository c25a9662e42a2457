import { isAionError, StoreConflictError, StoreUnavailableError } from '../../core/errors/index.js'

const UNAVAILABLE = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
  'SQLITE_READONLY',
])

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * Translates a better-sqlite3 error: a unique or primary-key violation
 * becomes `StoreConflictError` ("UNIQUE constraint failed: tasks.tenant_id,
 * tasks.task_id" names the table and columns); a busy, locked, unopenable,
 * full or read-only database becomes `StoreUnavailableError`. Anything else
 * is returned unchanged.
 */
export function translateSqliteError(error: unknown): unknown {
  if (isAionError(error)) return error
  const code = codeOf(error)
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const message = error instanceof Error ? error.message : ''
    const columns = /constraint failed: (.+)$/.exec(message)?.[1] ?? ''
    const entity = columns.split('.')[0] || 'row'
    const key = columns.replaceAll(`${entity}.`, '')
    return new StoreConflictError({ entity, key }, { cause: error })
  }
  if (code !== undefined && [...UNAVAILABLE].some((c) => code === c || code.startsWith(`${c}_`))) {
    return new StoreUnavailableError({ engine: 'sqlite' }, { cause: error })
  }
  if (code?.startsWith('SQLITE_IOERR'))
    return new StoreUnavailableError({ engine: 'sqlite' }, { cause: error })
  return error
}
