/**
 * The module executor `aionctl modules run` uses: the platform's own (WASM pool
 * and sandboxed subprocesses), composed from the same settings as the server's
 * (sandbox user, cgroup root, development override, module secrets, GPUs).
 */
import { AddressGuard } from '../../../core/egress/index.js'
import type { Settings } from '../../../core/settings/index.js'
import { GpuAllocator, type CombinedModuleExecutor } from '../../../runtime/index.js'
import { createPackagesExecutor } from '../../../distribution/aip/index.js'

/**
 * The subprocess executor's warnings (sandbox unavailable, an unsandboxed run):
 * held back until a subprocess module is run, so a WASM call prints none.
 */
export class SubprocessWarnings {
  readonly #held: string[] = []
  #shown = false

  readonly logger = {
    info(): void {},
    warn: (fields: object, message: string): void => {
      const line = `aionctl: warning: ${message} ${JSON.stringify(fields)}\n`
      if (this.#shown) process.stderr.write(line)
      else this.#held.push(line)
    },
  }

  /** Prints what was held back, and every warning from now on. */
  show(): void {
    this.#shown = true
    for (const line of this.#held.splice(0)) process.stderr.write(line)
  }
}

export async function startModuleExecutor(
  settings: Settings,
  packagesDir: string,
  warnings = new SubprocessWarnings(),
): Promise<CombinedModuleExecutor> {
  return createPackagesExecutor(settings, packagesDir, {
    guard: AddressGuard.of(settings.egress),
    gpus: await GpuAllocator.create(),
    logger: warnings.logger,
  })
}
