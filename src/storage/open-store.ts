import { UnsupportedDatabaseUrlError } from '../core/errors/index.js'
import type { Store } from './ports/store.js'
import { PostgresStore } from './postgres/postgres-store.js'
import { SqliteStore } from './sqlite/sqlite-store.js'

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** `postgres://…` / `postgresql://…` for PostgreSQL; unset (or empty) for SQLite. @default undefined */
  readonly databaseUrl?: string | undefined
  /** Where the SQLite file lives (`<dataDir>/aion.db`). */
  readonly dataDir: string
  /** PostgreSQL only: the schema to use (created when missing). @default the server's default */
  readonly schema?: string | undefined
  /** SQLite only: checkpoint the write-ahead log from a background thread. @default false */
  readonly backgroundCheckpoint?: boolean
}

/** Hides the password of a URL before it goes into an error message. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')
}

/**
 * Opens the relational store the URL names: SQLite in the data directory when
 * unset, PostgreSQL for `postgres://` or `postgresql://`; any other scheme
 * throws `UnsupportedDatabaseUrlError`. Migrations are not run here: call `store.migrate()`.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const url = options.databaseUrl
  if (url === undefined || url === '') {
    return SqliteStore.open({
      dataDir: options.dataDir,
      backgroundCheckpoint: options.backgroundCheckpoint ?? false,
    })
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return PostgresStore.open({
      url,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    })
  }
  throw new UnsupportedDatabaseUrlError({ url: redactUrl(url) })
}
