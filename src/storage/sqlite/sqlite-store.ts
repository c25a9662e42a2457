import { Kysely, SqliteDialect } from 'kysely'
import type { Database } from '../dialect/database.js'
import { SqlStore } from '../dialect/sql-store.js'
import { translatingDialect } from '../dialect/translating-dialect.js'
import { openSqliteDatabase, type SqliteDatabaseOptions } from './driver.js'
import { translateSqliteError } from './sqlite-errors.js'
import { withStatementCache } from './statement-cache.js'

/** Options of {@link SqliteStore.open}. */
export type SqliteStoreOptions = SqliteDatabaseOptions

/** The embedded default: the relational store in one SQLite file in the data directory. */
export class SqliteStore extends SqlStore {
  /** Opens (creating when missing) `<dataDir>/aion.db`. Call `migrate()` before use. */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const database = openSqliteDatabase(options)
    const dialect = translatingDialect(
      new SqliteDialect({ database: withStatementCache(database) }),
      translateSqliteError,
    )
    return new SqliteStore(new Kysely<Database>({ dialect }), { engine: 'sqlite' })
  }
}
