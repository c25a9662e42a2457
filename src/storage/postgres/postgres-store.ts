import { Kysely, PostgresDialect, sql } from 'kysely'
import { StoreConflictError } from '../../core/errors/index.js'
import type { Database } from '../dialect/database.js'
import { SqlStore } from '../dialect/sql-store.js'
import { translatingDialect } from '../dialect/translating-dialect.js'
import { createPool, type PostgresPoolOptions } from './driver.js'
import { translatePostgresError } from './postgres-errors.js'

/** Options of {@link PostgresStore.open}. */
export type PostgresStoreOptions = PostgresPoolOptions

/** The production engine: the relational store on PostgreSQL. */
export class PostgresStore extends SqlStore {
  /**
   * Connects, creating `schema` when given and missing; throws
   * `StoreUnavailableError` when the server cannot be reached. Call `migrate()` before use.
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = createPool(options)
    const dialect = translatingDialect(new PostgresDialect({ pool }), translatePostgresError)
    const db = new Kysely<Database>({ dialect })
    try {
      const schema = options.schema ?? (await currentSchema(db))
      if (options.schema !== undefined) await createSchema(db, options.schema)
      return new PostgresStore(db, { engine: 'postgres', schema })
    } catch (error) {
      await db.destroy()
      throw error
    }
  }
}

async function currentSchema(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
  return rows[0]?.schema ?? 'public'
}

async function createSchema(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db)
  } catch (error) {
    // Two processes creating the same schema at once: one wins, the other may see a unique violation.
    if (!(error instanceof StoreConflictError)) throw error
  }
}
