import type { AgentStore } from './agent-store.js'
import type { ApiKeyStore } from './api-key-store.js'
import type { AuditStore } from './audit-store.js'
import type { IdempotencyStore } from './idempotency-store.js'
import type { ModelStore } from './model-store.js'
import type { ModuleStore } from './module-store.js'
import type { Outbox } from './outbox.js'
import type { RegistryStore } from './registry-store.js'
import type { TaskStore } from './task-store.js'
import type { UsageStore } from './usage-store.js'

/** The relational engines. */
export type StoreEngine = 'sqlite' | 'postgres'

/** What `migrate()` did. */
export interface MigrationReport {
  /** Names of the migrations this call applied, in order; empty when up to date. */
  readonly applied: string[]
}

/** Every port, bound to one connection or one transaction. */
export interface StoreTx {
  readonly tasks: TaskStore
  readonly registries: RegistryStore
  readonly apiKeys: ApiKeyStore
  readonly usage: UsageStore
  readonly audit: AuditStore
  readonly outbox: Outbox
  readonly idempotency: IdempotencyStore
  readonly agents: AgentStore
  readonly modules: ModuleStore
  readonly models: ModelStore
}

/** The relational store: the ports plus lifecycle and transactions. */
export interface Store extends StoreTx {
  readonly engine: StoreEngine
  /** Applies pending forward-only migrations, recorded in the engine's migration table. */
  migrate(): Promise<MigrationReport>
  /** Resolves when the database answers; throws `StoreUnavailableError` otherwise. */
  ping(): Promise<void>
  close(): Promise<void>
  /**
   * Runs `fn` in one transaction: everything it does through `tx` (a state
   * change and its outbox event) commits together, or nothing does when it throws.
   * Use only `tx` inside `fn`: on SQLite the store has one connection, which
   * the transaction holds, so a call through the outer store would wait forever.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>
}
