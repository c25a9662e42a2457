/**
 * A real embedded control plane for tests: SQLite on a temp file, the
 * registries of `config/`, the rules router, the OpenAI-compatible providers
 * (openai and azure) pointed at the in-repo test upstream, and the WASM
 * module executor serving `modules/`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import type { TaskRequest } from '../../contracts/generated/index.js'
import type { AddressGuard } from '../core/egress/index.js'
import { loadRegistrySet, type RegistrySet } from '../core/registry/index.js'
import { Secret } from '../core/secret.js'
import type { ControlSettings, ProviderSettings } from '../core/settings/index.js'
import { closeProviders, createProviders } from '../providers/index.js'
import { createModuleExecutor, type ClosableModuleExecutor } from '../runtime/index.js'
import { openStore, type Store } from '../storage/index.js'
import { startUpstream, type Upstream } from '../../test/upstream/openai-upstream.js'
import { InProcessBudgetLedger } from './budget/in-process-budget-ledger.js'
import type { Actor } from '../core/domain/index.js'
import { EmbeddedControlPlane } from './embedded-control-plane.js'
import { RulesRouter } from './router/rules-router.js'
import { loadPackages } from '../distribution/aip/index.js'

export const testActor: Actor = {
  tenantId: 'default',
  kind: 'api_key',
  id: 'k_test',
  scopes: ['admin'],
}
export const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'

/** Settings small enough for tests to see retries, breakers and timeouts quickly. */
export const testSettings: ControlSettings = {
  queueCapacity: 100,
  workers: { local: 4, api: 8, hybrid: 2 },
  taskTimeoutMs: 10_000,
  taskLeaseMs: 30_000,
  retryMax: 0,
  retryBaseMs: 5,
  breakerFailures: 5,
  breakerCooldownMs: 60_000,
}

export interface Harness {
  readonly cp: EmbeddedControlPlane
  readonly store: Store
  readonly upstream: Upstream
  readonly set: RegistrySet
  readonly version: number
  /** The ledger every control plane of the harness charges. */
  readonly budget: InProcessBudgetLedger
  submit(request: TaskRequest): ReturnType<EmbeddedControlPlane['submit']>
  /** A second control plane on the same store (a restarted process). */
  restart(settings?: Partial<ControlSettings>): Promise<EmbeddedControlPlane>
  close(): Promise<void>
}

export interface HarnessOptions {
  readonly settings?: Partial<ControlSettings>
  /** Opens the store (PostgreSQL runs pass their own). @default SQLite in a temp dir */
  readonly openStore?: (dataDir: string) => Promise<Store>
  /** The tenant's daily cap. @default none */
  readonly dailyCapUsd?: number
  /** Where the module executor finds its packages. @default modules */
  readonly packagesDir?: string
  /** Directory of the registry files. @default 'config' */
  readonly configDir?: string
  /** The providers, given the test upstream. @default openai and azure on the upstream */
  readonly providers?: (upstream: Upstream) => ProviderSettings
  /** Judges provider connections. @default the providers' default guard */
  readonly guard?: AddressGuard
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aion-control-'))
  const store = await (options.openStore ?? ((dir) => openStore({ dataDir: dir })))(dataDir)
  await store.migrate()
  const configDir = options.configDir ?? 'config'
  const loaded = await loadRegistrySet(configDir)
  if (!loaded.ok) throw new TypeError(`${configDir} must load: ${JSON.stringify(loaded)}`)
  const set = loaded.set
  const { version } = await store.registries.append({
    contentHash: set.contentHash,
    sources: set.sources,
    createdBy: 'test',
  })
  await store.registries.setActive(version)
  const upstream = await startUpstream()
  const providerSettings: ProviderSettings = {
    timeoutMs: 10_000,
    openai: { baseUrl: upstream.url, apiKey: new Secret('sk-test') },
    azure: { baseUrl: upstream.origin, apiKey: new Secret('az-test'), apiVersion: '2024-10-21' },
    vllm: undefined,
    ollama: undefined,
    hf: undefined,
  }
  const providers = createProviders(
    options.providers?.(upstream) ?? providerSettings,
    options.guard === undefined ? {} : { guard: options.guard },
  )
  const modules: ClosableModuleExecutor = await createModuleExecutor({
    packages: await loadPackages(options.packagesDir ?? 'modules'),
  })
  const budget = new InProcessBudgetLedger({ dailyCapUsd: () => options.dailyCapUsd })
  const planes: EmbeddedControlPlane[] = []
  const make = (settings?: Partial<ControlSettings>) => {
    const cp = new EmbeddedControlPlane({
      store,
      registries: { set, version },
      router: new RulesRouter(),
      providers,
      modules,
      budget,
      seedBudget: (tenantId, usd) => budget.seed(tenantId, usd),
      settings: { ...testSettings, ...options.settings, ...settings },
      configDir,
      logger: pino({ level: 'silent' }),
      streamRetentionMs: 60_000,
      // Each plane is a process of its own: a restart's plane takes over its predecessor's leases.
      instanceId: `proc_test_${planes.length}`,
    })
    planes.push(cp)
    return cp
  }
  const cp = make()
  await cp.recover()
  return {
    cp,
    store,
    upstream,
    set,
    version,
    budget,
    submit: (request) => cp.submit({ actor: testActor, request, traceId }),
    async restart(settings) {
      const next = make(settings)
      await next.recover()
      return next
    },
    async close() {
      for (const plane of planes) await plane.drain(0)
      await modules.close()
      await closeProviders(providers)
      await upstream.close()
      await store.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
