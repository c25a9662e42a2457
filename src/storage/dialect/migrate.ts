import { Migrator, type Kysely, type MigrationProvider } from 'kysely'
import { MigrationFailedError } from '../../core/errors/index.js'
import type { MigrationReport, StoreEngine } from '../ports/store.js'
import type { Database } from './database.js'
import { migrationSet } from './migrations.js'

/** Where the applied migrations are recorded (with Kysely's lock table beside it). */
export const MIGRATION_TABLE = 'aion_migrations'

/** Options of {@link runMigrations}. */
export interface RunMigrationsOptions {
  readonly engine: StoreEngine
  /**
   * The PostgreSQL schema holding the migration table. Needed there because
   * Kysely otherwise looks for its table in every schema of the database.
   */
  readonly schema?: string
}

/** Applies every pending migration, in one transaction with the engine's migration lock. */
export async function runMigrations(
  db: Kysely<Database>,
  options: RunMigrationsOptions,
): Promise<MigrationReport> {
  const provider: MigrationProvider = {
    getMigrations: () => Promise.resolve(migrationSet(options.engine)),
  }
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: `${MIGRATION_TABLE}_lock`,
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'setup'
    throw new MigrationFailedError({ migration: failed, engine: options.engine }, { cause: error })
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) }
}
