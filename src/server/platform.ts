/**
 * The composition root: settings → store → registries → control plane →
 * gateway. The only place that knows which adapter serves which port.
 */
import { pino, type Logger } from 'pino'
import { EmbeddedControlPlane } from '../control/embedded-control-plane.js'
import type { Settings } from '../core/settings/index.js'
import { buildGateway, type Gateway } from '../gateway/gateway.js'
import { openStore, type Store } from '../storage/index.js'
import { activateRegistrySet, loadRegistriesOrThrow } from './registry-bootstrap.js'

export interface Platform {
  /** `http://host:port` the gateway listens on. */
  readonly url: string
  readonly logger: Logger
  readonly gateway: Gateway
  readonly store: Store
  /** Stop accepting, finish in-flight requests, close the store. */
  stop(): Promise<void>
}

export function createLogger(settings: Pick<Settings, 'logLevel'>): Logger {
  return pino({ level: settings.logLevel, base: { service: 'omertaos' } })
}

export async function startPlatform(
  settings: Settings,
  logger = createLogger(settings),
): Promise<Platform> {
  const set = await loadRegistriesOrThrow(settings.configDir)
  const store = await openStore({
    databaseUrl: settings.databaseUrl?.reveal(),
    dataDir: settings.dataDir,
  })
  try {
    const migration = await store.migrate()
    logger.info({ engine: store.engine, applied: migration.applied }, 'store migrated')
    const version = await activateRegistrySet(store, set, 'startup')
    logger.info({ version, contentHash: set.contentHash }, 'registries loaded')

    const controlPlane = new EmbeddedControlPlane({ store, registries: { set, version } })
    const gateway = buildGateway({ controlPlane, logger })
    await gateway.app.listen({ host: settings.host, port: settings.port })
    const address = gateway.app.server.address()
    const port = typeof address === 'object' && address ? address.port : settings.port
    const url = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`
    logger.info({ url, port }, 'listening')

    return {
      url,
      logger,
      gateway,
      store,
      async stop() {
        gateway.startDraining()
        await gateway.app.close()
        await store.close()
      },
    }
  } catch (error) {
    await store.close()
    throw error
  }
}
