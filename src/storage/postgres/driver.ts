import pg from 'pg'
import { StoreOptionsInvalidError } from '../../core/errors/index.js'

/** Options of {@link createPool}. */
export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database` */
  readonly url: string
  /** Schema put first on every connection's search path. @default the server's default */
  readonly schema?: string
  /** @default 10 */
  readonly maxConnections?: number
  /** @default 5000 */
  readonly connectTimeoutMs?: number
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** Rejects schema names that would need quoting (they also reach `-c search_path=`). */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreOptionsInvalidError({
      option: 'schema',
      reason: 'use letters, digits and _ (at most 63)',
    })
  }
  return schema
}

/** A `pg` pool whose connections all use the store's schema. */
export function createPool(options: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    ...(options.schema === undefined
      ? {}
      : { options: `-c search_path=${checkSchemaName(options.schema)}` }),
  })
  // An idle client losing its server emits here; without a listener Node would crash.
  // The next query fails with a translated StoreUnavailableError instead.
  pool.on('error', () => {})
  return pool
}
