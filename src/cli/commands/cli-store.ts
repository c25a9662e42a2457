/** The store aionctl commands work on directly: the one the settings name. */
import { loadSettings, type Settings } from '../../core/settings/index.js'
import { openStore, type Store } from '../../storage/index.js'

/**
 * Opens the store of the settings, brings its schema up to date (idempotent:
 * a command may run before the first server start), runs `work`, and closes it.
 */
export async function withStore<T>(
  work: (store: Store, settings: Settings) => Promise<T>,
): Promise<T> {
  const settings = loadSettings()
  const store = await openStore({
    databaseUrl: settings.databaseUrl?.reveal(),
    dataDir: settings.dataDir,
  })
  try {
    await store.migrate()
    return await work(store, settings)
  } finally {
    await store.close()
  }
}
