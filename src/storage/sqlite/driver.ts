import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import { translateSqliteError } from './sqlite-errors.js'

/** The database file's name inside the data directory. */
export const SQLITE_FILE_NAME = 'aion.db'

/** Options of {@link openSqliteDatabase}. */
export interface SqliteDatabaseOptions {
  /** Directory holding the database file; created when missing. */
  readonly dataDir: string
  /** How long a writer waits for a lock held by another connection. @default 5000 */
  readonly busyTimeoutMs?: number
}

/**
 * Opens `<dataDir>/aion.db` with the settings the store relies on: WAL (readers
 * never block the writer), a busy timeout instead of immediate SQLITE_BUSY,
 * enforced foreign keys, and `synchronous=NORMAL` (durable in WAL mode except
 * for the last commits on power loss).
 */
export function openSqliteDatabase(options: SqliteDatabaseOptions): Sqlite.Database {
  try {
    mkdirSync(options.dataDir, { recursive: true })
    const database = new Sqlite(join(options.dataDir, SQLITE_FILE_NAME))
    database.pragma('journal_mode = WAL')
    database.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`)
    database.pragma('foreign_keys = ON')
    database.pragma('synchronous = NORMAL')
    return database
  } catch (error) {
    throw translateSqliteError(error)
  }
}
