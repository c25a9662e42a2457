/**
 * The sample AIP packages of `modules/`, run through the executor the server
 * uses (WASM pool and sandboxed subprocesses): each suite copies only the
 * packages it tests into a temp packages directory (so another package's state
 * cannot quarantine them) after building any WASM module whose build output is
 * missing (`npm test` builds them first).
 */
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import asc from 'assemblyscript/asc'
import { parse } from 'yaml'
import {
  createCombinedModuleExecutor,
  type CombinedModuleExecutor,
} from '../../src/runtime/index.js'
import { loadPackages } from '../../src/distribution/aip/index.js'

export const modulesDir = 'modules'

/** Builds the package's AssemblyScript module when its output is missing. */
export async function ensureBuilt(name: string): Promise<void> {
  const config = join(modulesDir, name, 'asconfig.json')
  if (!existsSync(config)) return
  const manifest = parse(await readFile(join(modulesDir, name, 'aip.yaml'), 'utf8')) as {
    runtime: { module: string }
  }
  if (existsSync(join(modulesDir, name, manifest.runtime.module))) return
  const result = await asc.main(['--config', config, '--target', 'release'])
  if (result.error) throw new Error(`asc failed for ${name}: ${result.stderr.toString()}`)
}

/** An executor over copies of the named packages; `close()` also removes the copies. */
export interface SampleExecutor {
  readonly executor: CombinedModuleExecutor
  /** Runs `module` on `input` and returns its output; throws the executor's AION_MODULE_* error. */
  run(module: string, input: unknown, timeoutMs?: number): Promise<unknown>
  close(): Promise<void>
}

/**
 * Starts an executor over copies of the named packages; `edit` may change the
 * copies (under `packagesDir/<name>`) before they are loaded.
 */
export async function startSampleExecutor(
  names: readonly string[],
  edit?: (packagesDir: string) => void,
): Promise<SampleExecutor> {
  const packagesDir = mkdtempSync(join(tmpdir(), 'aion-samples-'))
  // The subprocess sandbox runs as an unprivileged user, who must reach the packages.
  chmodSync(packagesDir, 0o755)
  for (const name of names) {
    await ensureBuilt(name)
    cpSync(join(modulesDir, name), join(packagesDir, name), { recursive: true })
  }
  edit?.(packagesDir)
  const executor = await createCombinedModuleExecutor({ packages: await loadPackages(packagesDir) })
  const problems = executor.quarantined().map((q) => q.error.message)
  if (problems.length > 0) {
    await executor.close()
    throw new Error(`sample packages quarantined: ${problems.join('; ')}`)
  }
  return {
    executor,
    async run(module, input, timeoutMs = 10_000) {
      const signal = new AbortController().signal
      return (await executor.run({ module, input, signal, timeoutMs })).output
    },
    async close() {
      await executor.close()
      rmSync(packagesDir, { recursive: true, force: true })
    },
  }
}
