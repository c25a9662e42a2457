/**
 * The composition root: settings → store → registries → providers, modules,
 * router → control plane → edge state (in process or Redis) → gateway. The only place that knows which adapter
 * serves which port.
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { pino, type Logger } from 'pino'
import { InProcessBudgetLedger } from '../control/budget/in-process-budget-ledger.js'
import { EmbeddedControlPlane } from '../control/embedded-control-plane.js'
import { ModuleInstalls } from '../control/modules/module-installs.js'
import { createRouter } from '../control/router/index.js'
import { ListenFailedError } from '../core/errors/index.js'
import { AddressGuard } from '../core/egress/index.js'
import type { RegistrySet } from '../core/registry/index.js'
import type { Settings } from '../core/settings/index.js'
import { createJwtVerifier } from '../gateway/auth/index.js'
import { buildGateway, type Gateway } from '../gateway/gateway.js'
import type { MetricReading } from '../gateway/metrics-route.js'
import { closeProviders, createProviders } from '../providers/index.js'
import { GpuAllocator, type QuarantinedPackage } from '../runtime/index.js'
import {
  createReloadableExecutor,
  installPort,
  PackageInstaller,
  type ReloadableModuleExecutor,
  warnUnresolvedModules,
} from '../distribution/install/index.js'
import {
  DEFAULT_TENANT_ID,
  openObjectStore,
  openStore,
  startRetentionSweeper,
  type Store,
} from '../storage/index.js'
import { KafkaEventPublisher, OutboxRelay } from '../storage/kafka/index.js'
import { topics } from '../control/lifecycle/platform-topics.js'
import { ensureDevApiKey } from './dev-api-key.js'
import { openEdgeState } from './edge-state.js'
import { activateRegistrySet, loadRegistriesOrThrow } from './registry-bootstrap.js'
import { createPackagesExecutor } from '../distribution/aip/index.js'

export interface Platform {
  /** `http://host:port` the gateway listens on. */
  readonly url: string
  readonly logger: Logger
  readonly gateway: Gateway
  readonly store: Store
  readonly controlPlane: EmbeddedControlPlane
  /** The outbox relay to Kafka, when `AION_KAFKA_BROKERS` is set. */
  readonly outboxRelay: OutboxRelay | undefined
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
  const packagesDir = options.modulesDir ?? settings.modules.packagesDir
  // One guard judges every outbound connection: providers, module fetches, the JWKS.
  const guard = AddressGuard.of(settings.egress)
  // Started first: probing the sandbox and compiling the WASM modules wait on
  // other threads and a child process while the registries load here.
  const starting = startModules(settings, packagesDir, guard, logger)
  starting.catch(() => undefined) // awaited below; this only marks the rejection handled now
  const closeModules = () =>
    starting.then(
      (modules) => modules.close(),
      () => undefined,
    )
  let set: RegistrySet
  let store: Store
  try {
    set = await loadRegistriesOrThrow(settings.configDir)
    store = await openStore({
      databaseUrl: settings.databaseUrl?.reveal(),
      dataDir: settings.dataDir,
      backgroundCheckpoint: true,
    })
  } catch (error) {
    await closeModules()
    throw error
  }
  const closers: (() => Promise<void>)[] = [closeModules, () => store.close()]
  try {
    const migration = await store.migrate()
    logger.info({ engine: store.engine, applied: migration.applied }, 'store migrated')
    const version = await activateRegistrySet(store, set, 'startup')
    logger.info({ version, contentHash: set.contentHash }, 'registries loaded')
    const outboxRelay = await startOutboxRelay(settings, store, logger)
    // Stopped after the control plane drained (its last events are in the outbox), before the store closes.
    if (outboxRelay) closers.unshift(() => outboxRelay.stop())

    const objects = await openObjectStore({ dataDir: settings.dataDir, s3: settings.s3 })
    closers.unshift(() => objects.close())
    logger.info(
      { engine: objects.engine, ...(settings.s3 ? { bucket: settings.s3.bucket } : {}) },
      'object store opened',
    )
    // S3Proxy and the local directory have no lifecycle rules: the platform expires objects.
    const sweeper = startRetentionSweeper({
      store: objects.objects,
      rules: settings.objectRetention.rules,
      intervalMs: settings.objectRetention.sweepIntervalMs,
      onSweep: (outcome, error) => {
        if (error !== undefined) logger.warn({ err: error }, 'object retention sweep failed')
        const deleted = Object.values(outcome?.deleted ?? {}).flat().length
        if (deleted > 0) logger.info({ deleted: outcome?.deleted }, 'expired objects deleted')
      },
    })
    closers.unshift(() => sweeper.stop())

    const providers = createProviders(settings.providers, { guard })
    closers.unshift(() => closeProviders(providers))
    const modules = await starting
    warnQuarantined(modules.quarantined(), logger)
    warnUnresolvedModules(
      set,
      await store.modules.list(DEFAULT_TENANT_ID),
      modules.modules(),
      logger,
      modules.quarantined(),
    )
    const installs = new ModuleInstalls({
      store,
      installer: installPort(
        new PackageInstaller({
          modules: store.modules,
          objects: objects.objects,
          packagesDir,
          distribution: settings.distribution,
          logger,
        }),
      ),
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

    const jwt = settings.jwt ? await createJwtVerifier(settings.jwt, { guard }) : undefined
    const edge = await openEdgeState(settings, store, logger)
    closers.unshift(() => edge.close())
    const gateway = buildGateway({
      controlPlane,
      logger,
      settings: settings.gateway,
      auth: { apiKeys: store.apiKeys, jwt },
      rateLimiter: edge.rateLimiter,
      rateLimits: () => controlPlane.activeRegistries.set.policies.rate_limits,
      idempotencyCache: edge.idempotencyCache,
      counters: [...edge.counters, ...relayMetrics(outboxRelay, store)],
    })
    await listen(gateway, settings)
    const address = gateway.app.server.address()
    const port = typeof address === 'object' && address ? address.port : settings.port
    const scheme = settings.gateway.tls ? 'https' : 'http'
    const url = `${scheme}://${hostPort(settings.host, port)}`
    logger.info({ url, port }, 'listening')
    // Made only once the platform listens: a start that fails before would
    // otherwise store a key whose secret nobody ever saw.
    const devApiKey = settings.gateway.devApiKey ? await ensureDevApiKey(store) : undefined

    return {
      url,
      logger,
      gateway,
      store,
      controlPlane,
      outboxRelay,
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

/**
 * With `AION_KAFKA_BROKERS` set, the relay that publishes the outbox's four
 * topics to Kafka; it runs in the background, so a broker that is down does
 * not hold the start up (the outbox keeps the events until it is back).
 */
async function startOutboxRelay(
  settings: Settings,
  store: Store,
  logger: Logger,
): Promise<OutboxRelay | undefined> {
  const kafka = settings.events.kafka
  if (kafka === undefined) return undefined
  const { sasl, tls } = kafka
  const ca = tls?.caFile === undefined ? undefined : await readFile(tls.caFile, 'utf8')
  const relay = new OutboxRelay({
    outbox: store.outbox,
    publisher: new KafkaEventPublisher({
      brokers: kafka.brokers,
      topics: Object.values(topics),
      topicPartitions: kafka.topicPartitions,
      replicationFactor: kafka.replicationFactor,
      retentionMs: kafka.retentionMs,
      ...(sasl === undefined ? {} : { sasl: { ...sasl, password: sasl.password.reveal() } }),
      ...(tls === undefined ? {} : { tls: ca === undefined ? {} : { ca } }),
    }),
    logger: logger.child({ component: 'outbox-relay' }),
    retentionMs: settings.events.outboxRetentionMs,
  })
  relay.start()
  logger.info({ brokers: kafka.brokers }, 'outbox relay started')
  return relay
}

/**
 * The relay's metrics on `/metrics`, with it running: the outbox's backlog
 * (unpublished rows, counted at each scrape over the pending index: it is
 * the store's, so every process reports the same), and this process's
 * events published by topic and failed relay rounds (each retried).
 */
function relayMetrics(relay: OutboxRelay | undefined, store: Store): MetricReading[] {
  if (relay === undefined) return []
  return [
    {
      kind: 'gauge',
      name: 'aion_outbox_backlog_events',
      help: 'Outbox events not yet published to Kafka (every tenant)',
      labelNames: [],
      read: async () => [{ labels: {}, value: await store.outbox.pendingCount() }],
    },
    {
      kind: 'counter',
      name: 'aion_outbox_events_published_total',
      help: 'Outbox events this process published to Kafka and marked published, by topic',
      labelNames: ['topic'],
      read: () =>
        Object.entries(relay.stats().publishedByTopic).map(([topic, value]) => ({
          labels: { topic },
          value,
        })),
    },
    {
      name: 'aion_outbox_publish_failures_total',
      help: "Rounds of this process's outbox relay that failed to publish to Kafka (brokers unreachable, a failed or timed-out publish); each retried after a backoff",
      value: () => relay.stats().failedRounds,
    },
  ]
}

/** The module executor of both runtimes, reloadable so an install through the admin API serves without a restart. */
async function startModules(
  settings: Settings,
  packagesDir: string,
  guard: AddressGuard,
  logger: Logger,
): Promise<ReloadableModuleExecutor> {
  const gpus = await GpuAllocator.create()
  return createReloadableExecutor(() =>
    createPackagesExecutor(settings, packagesDir, { guard, gpus, logger }),
  )
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** What a user can do when the address cannot be listened on, by the system's error code. */
const listenHints: Readonly<Record<string, { reason: string; hint: string }>> = {
  EADDRINUSE: {
    reason: 'the address is already in use',
    hint: 'stop the process that holds it, or set AION_PORT to a free port (AION_PORT=0 picks one)',
  },
  EACCES: {
    reason: 'permission denied',
    hint: 'ports below 1024 need privileges: set AION_PORT to 1024 or above',
  },
  EADDRNOTAVAIL: {
    reason: 'the address is not one of this host',
    hint: 'set AION_HOST to an address of this host (127.0.0.1, 0.0.0.0)',
  },
}

/** Listens on the configured address; a refusal becomes {@link ListenFailedError}, naming it. */
async function listen(gateway: Gateway, settings: Settings): Promise<void> {
  try {
    await gateway.app.listen({ host: settings.host, port: settings.port })
  } catch (error) {
    const known = listenHints[(error as NodeJS.ErrnoException).code ?? '']
    if (known === undefined) throw error
    throw new ListenFailedError(
      { address: hostPort(settings.host, settings.port), ...known },
      { cause: error },
    )
  }
}

/** One warning per quarantined package, with why, as `aionctl modules list` shows it. */
function warnQuarantined(quarantined: readonly QuarantinedPackage[], logger: Logger): void {
  for (const { dir, error } of quarantined) {
    logger.warn(
      { package: basename(dir), dir, code: error.code },
      `package ${basename(dir)} is quarantined (it will not run): ${error.code}: ${error.message}`,
    )
  }
}
