/**
 * The module executor `aionctl modules run` uses: the platform's own (WASM pool
 * and sandboxed subprocesses), composed from the same settings as the server's
 * (sandbox user, cgroup root, development override, module secrets, GPUs).
 */
import { AddressGuard } from '../../../core/egress/index.js'
import type { Settings } from '../../../core/settings/index.js'
import {
  createCombinedModuleExecutor,
  GpuAllocator,
  type CombinedModuleExecutor,
} from '../../../runtime/index.js'

/** Sandbox warnings (an unsandboxed run above all) go to stderr; progress stays quiet. */
const stderrLogger = {
  info(): void {},
  warn(fields: object, message: string): void {
    process.stderr.write(`aionctl: warning: ${message} ${JSON.stringify(fields)}\n`)
  },
}

export async function startModuleExecutor(
  settings: Settings,
  packagesDir: string,
): Promise<CombinedModuleExecutor> {
  const modules = settings.modules
  return createCombinedModuleExecutor({
    packagesDir,
    secrets: modules.secrets,
    wasm: { guard: AddressGuard.of(settings.egress) },
    subprocess: {
      user: modules.sandboxUser,
      ...(modules.sandboxCgroupRoot === undefined ? {} : { cgroupRoot: modules.sandboxCgroupRoot }),
      allowUnsandboxed: modules.allowUnsandboxed,
      gpus: await GpuAllocator.create(),
      logger: stderrLogger,
    },
  })
}
