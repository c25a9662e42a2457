import { Command } from 'commander'
import { loadSettings } from '../../core/settings/index.js'
import { openStore } from '../../storage/index.js'

export function migrateCommand(): Command {
  return new Command('migrate')
    .description(
      'apply pending forward-only migrations to the store named by AION_DATABASE_URL (SQLite in AION_DATA_DIR when unset)',
    )
    .option('--json', 'print the result as JSON for machines')
    .action(async function migrate(options: { json?: boolean }) {
      const settings = loadSettings()
      const store = await openStore({
        databaseUrl: settings.databaseUrl?.reveal(),
        dataDir: settings.dataDir,
      })
      try {
        const report = await store.migrate()
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ engine: store.engine, ...report })}\n`)
        } else if (report.applied.length === 0) {
          process.stdout.write(`${store.engine}: up to date\n`)
        } else {
          for (const name of report.applied) process.stdout.write(`applied ${name}\n`)
          process.stdout.write(`${store.engine}: ${report.applied.length} migration(s) applied\n`)
        }
      } finally {
        await store.close()
      }
    })
}
