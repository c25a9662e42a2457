import { Kysely, SqliteDialect } from 'kysely'
import type { Database } from '../dialect/database.js'
import { SqlStore } from '../dialect/sql-store.js'
import { translatingDialect } from '../dialect/translating-dialect.js'
import { openSqliteDatabase, type SqliteDatabaseOptions } from './driver.js'
import { translateSqliteError } from './sqlite-errors.js'
import { withStatementCache } from './statement-cache.js'
import { WalCheckpointer, type WalCheckpointerOptions } from './wal-checkpointer.js'
import { WriteGate } from './write-gate.js'

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions extends SqliteDatabaseOptions {
  /**
   * Checkpoint the write-ahead log from a background thread instead of inside
   * commits (the server's setting; short-lived tools leave it off); `true`
   * takes the checkpointer's defaults.
   * @default false
   */
  readonly backgroundCheckpoint?: boolean | WalCheckpointerOptions
}

/** The embedded default: the relational store in one SQLite file in the data directory. */
export class SqliteStore extends SqlStore {
  #checkpointer: WalCheckpointer | undefined

  /** Opens (creating when missing) `<dataDir>/aion.db`. Call `migrate()` before use. */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const database = openSqliteDatabase(options)
    const statements = withStatementCache(database)
    const gate = new WriteGate()
    const dialect = translatingDialect(
      new SqliteDialect({ database: statements }),
      translateSqliteError,
      gate,
    )
    // A read of the connection's state, not of any table: safe beside Kysely's
    // transactions on the same connection (statements run one at a time).
    const dataVersion = database.prepare('pragma data_version').pluck()
    const store = new SqliteStore(new Kysely<Database>({ dialect }), {
      engine: 'sqlite',
      dataVersion: () => dataVersion.get() as number,
      statementRunner: (sql, parameters) => {
        try {
          const statement = statements.prepare(sql)
          if (statement.reader)
            return { rows: statement.all(parameters) as Record<string, unknown>[] }
          const { changes } = statement.run(parameters)
          return { numAffectedRows: BigInt(changes), rows: [] }
        } catch (error) {
          throw translateSqliteError(error)
        }
      },
    })
    const checkpoint = options.backgroundCheckpoint
    if (checkpoint) {
      const settings = checkpoint === true ? {} : checkpoint
      store.#checkpointer = await WalCheckpointer.start(database, gate, settings)
    }
    return store
  }

  /** Whether a background thread checkpoints the log (false: SQLite's automatic checkpoints). */
  get checkpointsInBackground(): boolean {
    return this.#checkpointer !== undefined
  }

  override async close(): Promise<void> {
    await this.#checkpointer?.stop()
    this.#checkpointer = undefined
    await super.close()
  }
}
