/**
 * The platform's module executor over a packages folder, composed from the
 * settings (module secrets, sandbox user, cgroup root, the development
 * override): the server and `aionctl modules run` both start theirs here, so
 * a module runs the same way under either. What the caller shares with the
 * rest of its process comes in: the address guard, the GPUs, a logger.
 */
import type { AddressGuard } from '../../core/egress/index.js'
import type { Settings } from '../../core/settings/index.js'
import {
  createCombinedModuleExecutor,
  type CombinedModuleExecutor,
  type GpuAllocator,
  type SandboxLogger,
} from '../../runtime/index.js'
import { loadPackages } from './aip-package.js'

/** What the executor shares with the rest of the process. */
export interface PackagesExecutorShared {
  /** Judges WASM host calls' and networked subprocesses' connections, as every other one. */
  readonly guard: AddressGuard
  readonly gpus: GpuAllocator
  readonly logger: SandboxLogger
}

/** Loads the packages of `packagesDir` and starts the executor of both runtimes over them. */
export async function createPackagesExecutor(
  settings: Settings,
  packagesDir: string,
  { guard, gpus, logger }: PackagesExecutorShared,
): Promise<CombinedModuleExecutor> {
  const modules = settings.modules
  return createCombinedModuleExecutor({
    packages: await loadPackages(packagesDir),
    secrets: modules.secrets,
    wasm: { guard },
    subprocess: {
      user: modules.sandboxUser,
      ...(modules.sandboxCgroupRoot === undefined ? {} : { cgroupRoot: modules.sandboxCgroupRoot }),
      allowUnsandboxed: modules.allowUnsandboxed,
      egressResolver: guard,
      gpus,
      logger,
    },
  })
}
