/**
 * One ModuleExecutor for both runtimes: WASM calls go to the WASM executor
 * (worker pool), subprocess calls to the sandboxed subprocess executor. Each
 * executor loads the packages of its own runtime from the same directory; a
 * module name both provide is served by the WASM package and the subprocess
 * one is quarantined.
 */
import { basename } from 'node:path'
import type { Secret } from '../core/secret.js'
import {
  ModuleExecutorClosedError,
  ModuleNotFoundError,
  ModulePackageInvalidError,
} from '../core/errors/index.js'
import { MANIFEST_FILE, type LoadedPackages, type QuarantinedPackage } from './module-package.js'
import type {
  DeviceReading,
  ModuleDescriptor,
  ModulePlacement,
  ModuleResult,
  ModuleRun,
} from './module-executor.js'
import type { GpuAllocator } from './gpu/gpu-allocator.js'
import type { SandboxStatus } from './subprocess/sandbox-probe.js'
import {
  createSubprocessExecutor,
  type SubprocessExecutorOptions,
  type SubprocessModuleExecutor,
} from './subprocess/subprocess-executor.js'
import {
  createModuleExecutor,
  type ClosableModuleExecutor,
  type ModuleExecutorOptions,
} from './wasm/wasm-module-executor.js'

/** Options of {@link createCombinedModuleExecutor}. */
export interface CombinedExecutorOptions {
  /** The packages to serve, of either runtime, as the AIP reader loaded them. */
  readonly packages: LoadedPackages
  /** Values of the secrets modules may declare, by name; both runtimes read them. @default none */
  readonly secrets?: ReadonlyMap<string, Secret>
  /** Options of the WASM executor. */
  readonly wasm?: Omit<ModuleExecutorOptions, 'packages' | 'secrets'>
  /** Options of the subprocess executor (sandbox identity, cgroup root, GPUs, logger…). */
  readonly subprocess?: Omit<SubprocessExecutorOptions, 'packages' | 'secrets'>
}

/** The executor of both runtimes. */
export interface CombinedModuleExecutor extends ClosableModuleExecutor {
  /** The subprocess sandbox as probed at start: cgroup version, or why it is unavailable. */
  sandbox(): SandboxStatus
  /** The GPUs calls are placed on, read afresh (none when GPU placement is off). */
  devices(): Promise<readonly DeviceReading[]>
  /**
   * GPU placement, when configured: `available(policy)` answers at routing time
   * whether a module's GPU policy can be placed now; `readings()` is the
   * utilisation metric.
   */
  gpus(): GpuAllocator | undefined
}

class BothRuntimesExecutor implements CombinedModuleExecutor {
  private readonly descriptors = new Map<string, ModuleDescriptor>()
  private readonly rejected: QuarantinedPackage[] = []
  private closed = false

  constructor(
    private readonly wasm: ClosableModuleExecutor,
    private readonly subprocess: SubprocessModuleExecutor,
  ) {
    for (const [name, descriptor] of wasm.modules()) this.descriptors.set(name, descriptor)
    const seen = new Set<string>()
    const quarantine = (entry: QuarantinedPackage) => {
      if (!seen.has(entry.dir)) this.rejected.push(entry)
      seen.add(entry.dir)
    }
    for (const entry of [...wasm.quarantined(), ...subprocess.quarantined()]) quarantine(entry)
    for (const [name, descriptor] of subprocess.modules()) {
      if (!this.descriptors.has(name)) {
        this.descriptors.set(name, descriptor)
        continue
      }
      const dir = subprocess.packageDir(name) ?? name
      const message = `the WASM package already provides module ${name}`
      const violations = [{ path: '/metadata/name', message, keyword: 'unique' }]
      const error = new ModulePackageInvalidError({
        package: basename(dir),
        file: MANIFEST_FILE,
        violations,
      })
      quarantine({ dir, error })
    }
  }

  modules(): ReadonlyMap<string, ModuleDescriptor> {
    return this.descriptors
  }

  quarantined(): readonly QuarantinedPackage[] {
    return this.rejected
  }

  sandbox(): SandboxStatus {
    return this.subprocess.sandbox()
  }

  gpus(): GpuAllocator | undefined {
    return this.subprocess.gpus()
  }

  async devices(): Promise<readonly DeviceReading[]> {
    const gpus = this.subprocess.gpus()
    if (!gpus) return []
    await gpus.refresh()
    return gpus.readings()
  }

  placement(module: string): ModulePlacement {
    const descriptor = this.descriptors.get(module)
    if (descriptor?.runtime !== 'subprocess' || this.wasm.modules().has(module)) return { ok: true }
    return this.subprocess.placement(module)
  }

  run(request: ModuleRun): Promise<ModuleResult> {
    const descriptor = this.descriptors.get(request.module)
    if (!descriptor) return Promise.reject(new ModuleNotFoundError({ module: request.module }))
    if (this.closed)
      return Promise.reject(new ModuleExecutorClosedError({ module: request.module }))
    if (descriptor.runtime === 'subprocess' && !this.wasm.modules().has(request.module)) {
      return this.subprocess.run(request)
    }
    return this.wasm.run(request)
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all([this.wasm.close(), this.subprocess.close()])
  }
}

/** Starts both executors over the loaded packages. */
export async function createCombinedModuleExecutor(
  options: CombinedExecutorOptions,
): Promise<CombinedModuleExecutor> {
  const secrets = options.secrets ?? new Map<string, Secret>()
  const wasm = await createModuleExecutor({
    ...options.wasm,
    packages: options.packages,
    secrets,
  })
  try {
    const subprocess = await createSubprocessExecutor({
      ...options.subprocess,
      packages: options.packages,
      secrets,
    })
    return new BothRuntimesExecutor(wasm, subprocess)
  } catch (error) {
    await wasm.close()
    throw error
  }
}
