import type Sqlite from 'better-sqlite3'
import type { SqliteDatabase } from 'kysely'

/**
 * Kysely's SQLite driver prepares every query anew; the store runs the same
 * few dozen statements over and over, so preparing each once and reusing it
 * takes SQL parsing and planning off the hot path. Bounded: the oldest
 * statement is dropped past `maxStatements`. Safe because the driver runs one
 * query at a time on its single connection.
 */
export function withStatementCache(database: Sqlite.Database, maxStatements = 512): SqliteDatabase {
  const statements = new Map<string, Sqlite.Statement>()
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql)
      if (statement === undefined) {
        statement = database.prepare(sql)
        if (statements.size >= maxStatements) {
          const oldest = statements.keys().next().value
          if (oldest !== undefined) statements.delete(oldest)
        }
        statements.set(sql, statement)
      }
      return statement
    },
  }
}
