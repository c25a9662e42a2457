/**
 * The dialect core's {@link Store}: every port over one Kysely instance. The
 * engine folders only build the Kysely instance (driver, pragmas, search path,
 * error translation) and hand it here.
 */
import { sql, type Kysely } from 'kysely'
import { ApiKeyCache } from './api-key-cache.js'
import type { MigrationReport, Store, StoreEngine, StoreTx } from '../ports/store.js'
import { Codec } from './codec.js'
import type { Database } from './database.js'
import { runMigrations } from './migrate.js'
import { runStatementsDirectly, type StatementRunner } from './query-templates.js'
import { SqlAgentStore } from './sql-agent-store.js'
import { SqlApiKeyStore } from './sql-api-key-store.js'
import { SqlAuditStore } from './sql-audit-store.js'
import { SqlIdempotencyStore } from './sql-idempotency-store.js'
import { SqlModelStore } from './sql-model-store.js'
import { SqlModuleStore } from './sql-module-store.js'
import { SqlOutbox } from './sql-outbox.js'
import { SqlRegistryStore } from './sql-registry-store.js'
import { SqlTaskStore } from './sql-task-store.js'
import { SqlUsageStore } from './sql-usage-store.js'

/**
 * Every port bound to `db` (the pool, or one transaction). `keyCache` is the
 * store's API-key cache, when its engine has one.
 */
export function bindPorts(db: Kysely<Database>, codec: Codec, keyCache?: ApiKeyCache): StoreTx {
  return {
    tasks: new SqlTaskStore(db, codec),
    registries: new SqlRegistryStore(db, codec),
    apiKeys: new SqlApiKeyStore(db, codec, keyCache, db.isTransaction),
    usage: new SqlUsageStore(db, codec),
    audit: new SqlAuditStore(db, codec),
    outbox: new SqlOutbox(db, codec),
    idempotency: new SqlIdempotencyStore(db, codec),
    agents: new SqlAgentStore(db, codec),
    modules: new SqlModuleStore(db, codec),
    models: new SqlModelStore(db, codec),
  }
}

/** Options of {@link SqlStore}. */
export interface SqlStoreOptions {
  readonly engine: StoreEngine
  /** PostgreSQL schema that holds the tables and the migration record. */
  readonly schema?: string
  /** Runs the hot statements inside a transaction on its connection directly (SQLite). */
  readonly statementRunner?: StatementRunner
  /**
   * A number that moves whenever another connection commits (SQLite's
   * `PRAGMA data_version`); with it, API keys are answered from memory while it
   * stands still (see api-key-cache.ts).
   */
  readonly dataVersion?: () => number
}

/** A {@link Store} over a Kysely instance of either engine. */
export class SqlStore implements Store {
  readonly engine: StoreEngine
  readonly tasks: StoreTx['tasks']
  readonly registries: StoreTx['registries']
  readonly apiKeys: StoreTx['apiKeys']
  readonly usage: StoreTx['usage']
  readonly audit: StoreTx['audit']
  readonly outbox: StoreTx['outbox']
  readonly idempotency: StoreTx['idempotency']
  readonly agents: StoreTx['agents']
  readonly modules: StoreTx['modules']
  readonly models: StoreTx['models']
  readonly #db: Kysely<Database>
  readonly #codec: Codec
  readonly #schema: string | undefined
  readonly #keyCache: ApiKeyCache | undefined
  readonly #statementRunner: StatementRunner | undefined

  constructor(db: Kysely<Database>, options: SqlStoreOptions) {
    this.engine = options.engine
    this.#db = db
    this.#codec = new Codec(options.engine)
    this.#schema = options.schema
    this.#statementRunner = options.statementRunner
    this.#keyCache = options.dataVersion ? new ApiKeyCache(options.dataVersion) : undefined
    const ports = bindPorts(db, this.#codec, this.#keyCache)
    this.tasks = ports.tasks
    this.registries = ports.registries
    this.apiKeys = ports.apiKeys
    this.usage = ports.usage
    this.audit = ports.audit
    this.outbox = ports.outbox
    this.idempotency = ports.idempotency
    this.agents = ports.agents
    this.modules = ports.modules
    this.models = ports.models
  }

  migrate(): Promise<MigrationReport> {
    return runMigrations(this.#db, {
      engine: this.engine,
      ...(this.#schema ? { schema: this.#schema } : {}),
    })
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db)
  }

  close(): Promise<void> {
    return this.#db.destroy()
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((tx) => {
      if (this.#statementRunner) runStatementsDirectly(tx, this.#statementRunner)
      return fn(bindPorts(tx, this.#codec, this.#keyCache))
    })
  }
}
