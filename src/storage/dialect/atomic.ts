import type { Kysely } from 'kysely'
import type { Database } from './database.js'

/**
 * Runs `fn` in a transaction, or in the caller's when `db` already is one
 * (Kysely transactions do not nest), so a port method stays atomic both
 * standalone and inside `store.transaction`.
 */
export function atomic<T>(
  db: Kysely<Database>,
  fn: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db)
  return db.transaction().execute(fn)
}
