/**
 * A module executor that can pick up packages installed while it runs:
 * `reload()` starts a fresh executor over the packages directory (loading and
 * checking every package again), switches new calls to it at once, and closes
 * the old one when its calls in flight have ended — none is cut short.
 */
import { ModuleExecutorClosedError } from '../../core/errors/index.js'
import type { CombinedModuleExecutor } from '../../runtime/combined-executor.js'
import type { GpuAllocator } from '../../runtime/gpu/gpu-allocator.js'
import type { QuarantinedPackage } from '../../runtime/module-package.js'
import type {
  DeviceReading,
  ModuleDescriptor,
  ModulePlacement,
  ModuleResult,
  ModuleRun,
} from '../../runtime/module-executor.js'
import type { SandboxStatus } from '../../runtime/subprocess/sandbox-probe.js'

/** What a reload changed, by module name. */
export interface ReloadReport {
  readonly added: readonly string[]
  readonly removed: readonly string[]
  /** Modules served before and after whose version changed. */
  readonly changed: readonly string[]
  /** Package folders that failed a check in the new load. */
  readonly quarantined: number
}

/** A combined executor with {@link ReloadableModuleExecutor.reload}. */
export interface ReloadableModuleExecutor extends CombinedModuleExecutor {
  /** Loads the packages directory again; calls in flight finish on the executor they started on. */
  reload(): Promise<ReloadReport>
}

class Generation {
  inFlight = 0
  #idle: (() => void) | undefined
  constructor(readonly executor: CombinedModuleExecutor) {}

  /** Resolves once no call of this generation is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => (this.#idle = resolve))
  }

  ended(): void {
    this.inFlight -= 1
    if (this.inFlight === 0) this.#idle?.()
  }
}

function compare(
  before: ReadonlyMap<string, ModuleDescriptor>,
  after: ReadonlyMap<string, ModuleDescriptor>,
) {
  const added = [...after.keys()].filter((name) => !before.has(name)).sort()
  const removed = [...before.keys()].filter((name) => !after.has(name)).sort()
  const changed = [...after]
    .filter(([name, d]) => before.has(name) && before.get(name)?.version !== d.version)
    .map(([name]) => name)
    .sort()
  return { added, removed, changed }
}

class Reloading implements ReloadableModuleExecutor {
  #current: Generation
  #queue: Promise<unknown> = Promise.resolve()
  #closed = false

  constructor(
    first: CombinedModuleExecutor,
    private readonly create: () => Promise<CombinedModuleExecutor>,
  ) {
    this.#current = new Generation(first)
  }

  modules(): ReadonlyMap<string, ModuleDescriptor> {
    return this.#current.executor.modules()
  }

  quarantined(): readonly QuarantinedPackage[] {
    return this.#current.executor.quarantined()
  }

  sandbox(): SandboxStatus {
    return this.#current.executor.sandbox()
  }

  gpus(): GpuAllocator | undefined {
    return this.#current.executor.gpus()
  }

  devices(): Promise<readonly DeviceReading[]> {
    return this.#current.executor.devices?.() ?? Promise.resolve([])
  }

  placement(module: string): ModulePlacement {
    return this.#current.executor.placement?.(module) ?? { ok: true }
  }

  async run(request: ModuleRun): Promise<ModuleResult> {
    if (this.#closed) throw new ModuleExecutorClosedError({ module: request.module })
    const generation = this.#current
    generation.inFlight += 1
    try {
      return await generation.executor.run(request)
    } finally {
      generation.ended()
    }
  }

  reload(): Promise<ReloadReport> {
    const run = this.#queue.then(() => this.#reload())
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #reload(): Promise<ReloadReport> {
    if (this.#closed) throw new ModuleExecutorClosedError({ module: '*' })
    const next = await this.create()
    const old = this.#current
    this.#current = new Generation(next)
    const report = {
      ...compare(old.executor.modules(), next.modules()),
      quarantined: next.quarantined().length,
    }
    await old.idle()
    await old.executor.close()
    return report
  }

  /** Refuses new calls; calls in flight fail with AION_MODULE_EXECUTOR_CLOSED, as on any executor. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#queue
    await this.#current.executor.close()
  }
}

/**
 * Starts an executor with `create` and returns it reloadable: each `reload()`
 * calls `create` again (so `create` must load the packages directory afresh).
 */
export async function createReloadableExecutor(
  create: () => Promise<CombinedModuleExecutor>,
): Promise<ReloadableModuleExecutor> {
  return new Reloading(await create(), create)
}
