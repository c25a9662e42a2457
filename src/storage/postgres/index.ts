export { checkSchemaName, createPool, type PostgresPoolOptions } from './driver.js'
export { translatePostgresError } from './postgres-errors.js'
export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js'
