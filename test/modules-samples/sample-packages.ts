/**
 * The sample AIP packages of `modules/`, run through the executor the server
 * uses: each suite copies only the packages it tests into a temp packages
 * directory (so another package's state cannot quarantine them) after building
 * any WASM module whose build output is missing (`npm test` builds them first).
 */
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import asc from 'assemblyscript/asc'
import { parse } from 'yaml'
import { ModuleFailedError, ModuleNotFoundError } from '../../src/core/errors/index.js'
import { createModuleExecutor, type ClosableModuleExecutor } from '../../src/runtime/index.js'

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
  readonly executor: ClosableModuleExecutor
  /** Runs `module` on `input` and returns its output; throws the executor's AION_MODULE_* error. */
  run(module: string, input: unknown, timeoutMs?: number): Promise<unknown>
  close(): Promise<void>
}

export async function startSampleExecutor(names: readonly string[]): Promise<SampleExecutor> {
  const packagesDir = mkdtempSync(join(tmpdir(), 'aion-samples-'))
  for (const name of names) {
    await ensureBuilt(name)
    cpSync(join(modulesDir, name), join(packagesDir, name), { recursive: true })
  }
  const executor = await createModuleExecutor({ packagesDir })
  const problems = executor.quarantined().map((q) => q.error.message)
  if (problems.length > 0) {
    await executor.close()
    throw new Error(`sample packages quarantined: ${problems.join('; ')}`)
  }
  return {
    executor,
    async run(module, input, timeoutMs = 10_000) {
      if (!executor.modules().has(module)) return spawnEntrypoint(packagesDir, module, input)
      const signal = new AbortController().signal
      return (await executor.run({ module, input, signal, timeoutMs })).output
    },
    async close() {
      await executor.close()
      rmSync(packagesDir, { recursive: true, force: true })
    },
  }
}

/**
 * Interim stand-in for the subprocess executor (not landed yet): runs the
 * package's entrypoint with the JSON request on stdin, unsandboxed.
 */
async function spawnEntrypoint(packagesDir: string, module: string, input: unknown) {
  const manifestFile = join(packagesDir, module, 'aip.yaml')
  if (!existsSync(manifestFile)) throw new ModuleNotFoundError({ module })
  const manifest = parse(await readFile(manifestFile, 'utf8')) as { runtime: { module: string } }
  const child = spawn(join(packagesDir, module, manifest.runtime.module), [], { env: {} })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.resume()
  child.stdin.end(JSON.stringify(input))
  const exitCode = await new Promise<number>((resolve) =>
    child.on('close', (code) => resolve(code ?? -1)),
  )
  const parsed = JSON.parse(stdout) as { error?: { code: string; message: string } }
  if (exitCode !== 0 || parsed.error) {
    const moduleCode = parsed.error?.code ?? 'UNKNOWN'
    throw new ModuleFailedError({
      module,
      exitCode,
      moduleCode,
      detail: parsed.error?.message ?? '',
    })
  }
  return parsed
}
