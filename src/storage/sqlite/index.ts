export { openSqliteDatabase, SQLITE_FILE_NAME, type SqliteDatabaseOptions } from './driver.js'
export { translateSqliteError } from './sqlite-errors.js'
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js'
