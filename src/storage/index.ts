/**
 * The storage room: ports (interfaces) and the relational store on SQLite
 * (embedded default) and PostgreSQL (production). Callers use `openStore` and
 * the `Store` port; the engine classes are exported for tools and tests.
 */
export * from './ports/index.js'
export { groupCommit, type GroupCommit, type PendingRows } from './group-commit.js'
export { openStore, type OpenStoreOptions } from './open-store.js'
export {
  openObjectStore,
  type OpenedObjectStore,
  type OpenObjectStoreOptions,
} from './open-object-store.js'
export {
  startRetentionSweeper,
  sweepObjects,
  type RetentionRule,
  type RetentionSweeper,
  type RetentionSweeperOptions,
  type SweepOutcome,
} from './objects/retention-sweeper.js'
export { SqliteStore, type SqliteStoreOptions } from './sqlite/index.js'
export { PostgresStore, type PostgresStoreOptions } from './postgres/index.js'
