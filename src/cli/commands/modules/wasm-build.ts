/**
 * Builds a source package's missing WASM module before `aionctl modules run`
 * uses it, so a fresh checkout runs `modules/<name>` without a separate `npm run
 * build:modules`: the same AssemblyScript build (`asc --config asconfig.json
 * --target release`), into the package's own (git-ignored) build output.
 */
import { access, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type AssemblyScriptCompiler from 'assemblyscript/asc'
import { parse } from 'yaml'
import { ModuleBuildFailedError } from '../../../core/errors/index.js'
import { MANIFEST_FILE } from '../../../runtime/index.js'

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

/** The WASM file the manifest names when it is missing and `asconfig.json` can build it. */
async function missingModule(dir: string): Promise<string | undefined> {
  let manifest: { runtime?: { type?: unknown; module?: unknown } }
  try {
    manifest = parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as typeof manifest
  } catch {
    return undefined
  }
  const module = manifest?.runtime?.module
  if (manifest?.runtime?.type !== 'wasm' || typeof module !== 'string') return undefined
  if (await exists(join(dir, module))) return undefined
  return (await exists(join(dir, 'asconfig.json'))) ? module : undefined
}

/** Builds the module of the package at `dir` when it is missing; returns whether it built. */
export async function buildMissingWasm(dir: string, log: (line: string) => void): Promise<boolean> {
  const module = await missingModule(dir)
  if (module === undefined) return false
  // asc resolves an extended config's `lib` wrongly from an absolute path; a relative one works.
  const config = relative(process.cwd(), join(dir, 'asconfig.json')) || 'asconfig.json'
  log(`${module} is missing: building it (asc --config ${config} --target release)`)
  let asc: typeof AssemblyScriptCompiler
  try {
    asc = (await import('assemblyscript/asc')).default
  } catch (error) {
    const detail = 'the AssemblyScript compiler is not installed (npm ci installs it)'
    throw new ModuleBuildFailedError({ dir, detail }, { cause: error })
  }
  const result = await asc.main(['--config', config, '--target', 'release'])
  if (result.error) {
    const detail = `${result.error.message}: ${result.stderr.toString().trim().slice(-2000)}`
    throw new ModuleBuildFailedError({ dir, detail })
  }
  return true
}
