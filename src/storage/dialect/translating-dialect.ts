/**
 * Wraps a Kysely dialect so every driver error passes through the engine's
 * translator (unique violation → `StoreConflictError`, connection refused →
 * `StoreUnavailableError`, …) at the one place all queries go through; and,
 * when given a gate, so every transaction passes it before it begins (SQLite's
 * WAL restarts hold the writes there, see sqlite/write-gate.ts).
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryResult,
  TransactionSettings,
} from 'kysely'

/** Turns a driver error into a registry error, or returns it unchanged. */
export type ErrorTranslator = (error: unknown) => unknown

/** What every transaction passes: entered before it begins, left once it ends. */
export interface TransactionGate {
  enter(): Promise<void>
  leave(): void
}

class TranslatingConnection implements DatabaseConnection {
  /** Set while a transaction on this connection holds its place in the gate. */
  gated = false

  constructor(
    readonly inner: DatabaseConnection,
    private readonly translate: ErrorTranslator,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(query)
    } catch (error) {
      throw this.translate(error)
    }
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize)
    } catch (error) {
      throw this.translate(error)
    }
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof TranslatingConnection ? connection.inner : connection
}

class TranslatingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly translate: ErrorTranslator,
    private readonly gate: TransactionGate | undefined,
  ) {}

  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw this.translate(error)
    }
  }

  init(): Promise<void> {
    return this.#guard(() => this.inner.init())
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#guard(() => this.inner.acquireConnection())
    return new TranslatingConnection(connection, this.translate)
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    if (this.gate && connection instanceof TranslatingConnection) {
      await this.gate.enter()
      // Left when the connection is released: after the commit, the rollback,
      // or a failure of either — Kysely releases it whatever happened.
      connection.gated = true
    }
    return this.#guard(() => this.inner.beginTransaction(unwrap(connection), settings))
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#guard(() => this.inner.commitTransaction(unwrap(connection)))
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#guard(() => this.inner.rollbackTransaction(unwrap(connection)))
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof TranslatingConnection && connection.gated) {
      connection.gated = false
      this.gate?.leave()
    }
    return this.inner.releaseConnection(unwrap(connection))
  }

  destroy(): Promise<void> {
    return this.inner.destroy()
  }
}

/** The same dialect, with driver errors translated. (Savepoints are not used by the store.) */
export function translatingDialect(
  inner: Dialect,
  translate: ErrorTranslator,
  gate?: TransactionGate,
): Dialect {
  return {
    createDriver: () => new TranslatingDriver(inner.createDriver(), translate, gate),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  }
}
