/**
 * The composition root: settings → store → registries → providers, modules,
 * router → control plane → gateway. The only place that knows which adapter
 * serves which port.
 */
import { join } from 'node:path'
import { pino, type Logger } from 'pino'
import { InProcessBudgetLedger } from '../control/budget/in-process-budget-ledger.js'
import { EmbeddedControlPlane } from '../control/embedded-control-plane.js'
import { ModuleInstalls } from '../control/modules/module-installs.js'
import { warnUnresolvedModules } from '../control/modules/module-ref-warnings.js'
import { createRouter } from '../control/router/index.js'
import { AddressGuard } from '../core/egress/index.js'
import type { Settings } from '../core/settings/index.js'
import { createJwtVerifier } from '../gateway/auth/index.js'
import { buildGateway, type Gateway } from '../gateway/gateway.js'
import { MemoryRateLimiter } from '../gateway/rate-limit/index.js'
import { closeProviders, createProviders } from '../providers/index.js'
import { createCombinedModuleExecutor, GpuAllocator } from '../runtime/index.js'
import { createReloadableExecutor, PackageInstaller } from '../runtime/install/index.js'
import { DEFAULT_TENANT_ID, openStore, type Store } from '../storage/index.js'
import { LocalDirectoryObjectStore } from '../storage/local/index.js'
import { ensureDevApiKey } from './dev-api-key.js'
import { activateRegistrySet, loadRegistriesOrThrow } from './registry-bootstrap.js'

export interface Platform {
  /** `http://host:port` the gateway listens on. */
  readonly url: string
  readonly logger: Logger
  readonly gateway: Gateway
  readonly store: Store
  readonly controlPlane: EmbeddedControlPlane
  /** The development API key created on this start, if one was. */
  readonly devApiKey: string | undefined
  /** Drain: stop accepting, finish in-flight work up to the deadline, close everything. */
  stop(): Promise<void>
}

export interface PlatformOptions {
  /** Directory of AIP packages. @default `settings.modules.packagesDir` (`AION_MODULES_DIR`) */
  readonly modulesDir?: string
}

export function createLogger(settings: Pick<Settings, 'logLevel'>): Logger {
  return pino({ level: settings.logLevel, base: { service: 'omertaos' } })
}

export async function startPlatform(
  settings: Settings,
  logger = createLogger(settings),
  options: PlatformOptions = {},
): Promise<Platform> {
  const set = await loadRegistriesOrThrow(settings.configDir)
  const store = await openStore({
    databaseUrl: settings.databaseUrl?.reveal(),
    dataDir: settings.dataDir,
    backgroundCheckpoint: true,
  })
  const closers: (() => Promise<void>)[] = [() => store.close()]
  try {
    const migration = await store.migrate()
    logger.info({ engine: store.engine, applied: migration.applied }, 'store migrated')
    const version = await activateRegistrySet(store, set, 'startup')
    logger.info({ version, contentHash: set.contentHash }, 'registries loaded')

    // One guard judges every outbound connection: providers, module fetches, the JWKS.
    const guard = AddressGuard.of(settings.egress)
    const providers = createProviders(settings.providers, { guard })
    closers.unshift(() => closeProviders(providers))
    const packagesDir = options.modulesDir ?? settings.modules.packagesDir
    const gpus = await GpuAllocator.create()
    // Reloadable, so a package installed through the admin API serves without a restart.
    const modules = await createReloadableExecutor(() =>
      createCombinedModuleExecutor({
        packagesDir,
        secrets: settings.modules.secrets,
        wasm: { guard },
        subprocess: {
          user: settings.modules.sandboxUser,
          ...(settings.modules.sandboxCgroupRoot === undefined
            ? {}
            : { cgroupRoot: settings.modules.sandboxCgroupRoot }),
          allowUnsandboxed: settings.modules.allowUnsandboxed,
          gpus,
          logger,
        },
      }),
    )
    closers.unshift(() => modules.close())
    warnUnresolvedModules(
      set,
      await store.modules.list(DEFAULT_TENANT_ID),
      modules.modules(),
      logger,
    )
    const installs = new ModuleInstalls({
      store,
      installer: new PackageInstaller({
        modules: store.modules,
        objects: new LocalDirectoryObjectStore(join(settings.dataDir, 'objects')),
        packagesDir,
        distribution: settings.distribution,
        logger,
      }),
      executor: modules,
      registries: () => controlPlane.activeRegistries.set,
      logger,
    })
    const budget = new InProcessBudgetLedger({
      dailyCapUsd: () => controlPlane.activeRegistries.set.policies.budget.tenant_daily_cap_usd,
    })
    const controlPlane: EmbeddedControlPlane = new EmbeddedControlPlane({
      store,
      registries: { set, version },
      router: createRouter({ providers }),
      providers,
      modules,
      budget,
      settings: settings.control,
      configDir: settings.configDir,
      logger,
      seedBudget: (tenantId, spentTodayUsd) => budget.seed(tenantId, spentTodayUsd),
      installs,
    })
    const recovered = await controlPlane.recover()
    if (recovered.requeued + recovered.interrupted > 0)
      logger.warn(recovered, 'recovered tasks of an earlier process')

    const devApiKey = settings.gateway.devApiKey ? await ensureDevApiKey(store) : undefined
    const jwt = settings.jwt ? await createJwtVerifier(settings.jwt, { guard }) : undefined
    const gateway = buildGateway({
      controlPlane,
      logger,
      settings: settings.gateway,
      auth: { apiKeys: store.apiKeys, jwt },
      rateLimiter: new MemoryRateLimiter(),
      rateLimits: () => controlPlane.activeRegistries.set.policies.rate_limits,
      idempotencyCache: store.idempotency,
    })
    await gateway.app.listen({ host: settings.host, port: settings.port })
    const address = gateway.app.server.address()
    const port = typeof address === 'object' && address ? address.port : settings.port
    const scheme = settings.gateway.tls ? 'https' : 'http'
    const url = `${scheme}://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`
    logger.info({ url, port }, 'listening')

    return {
      url,
      logger,
      gateway,
      store,
      controlPlane,
      devApiKey,
      async stop() {
        gateway.startDraining()
        await controlPlane.drain(settings.shutdownTimeoutMs)
        await gateway.app.close()
        for (const close of closers) await close()
      },
    }
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined)
    throw error
  }
}
