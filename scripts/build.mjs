#!/usr/bin/env node
/**
 * `npm run build`: compiles the platform and `aionctl` to JavaScript under
 * `dist/` and the AssemblyScript sample modules to `modules/<name>/build/`,
 * each only when its sources changed since the last build. `npm start`,
 * `npm test` and `bin/aionctl.js` run it first; when nothing changed it only
 * compares fingerprints (paths, sizes and modification times of the sources)
 * and prints nothing.
 *
 * `dist/` mirrors the source tree: `src/**` and `contracts/**` keep their
 * place (`dist/src/server/main.js`), `.ts` files are compiled one by one
 * (esbuild, no bundling; `tsc --noEmit` does the type checking) and every other
 * file — the worker threads' `.js`, the contract schemas, the proto files — is
 * copied as it is. So whatever the code finds next to itself
 * (`new URL('./x.js', import.meta.url)`) is found from the build too, wherever
 * it moves in the tree.
 *
 *   node scripts/build.mjs            platform and modules, where changed
 *   node scripts/build.mjs --code     the platform only (what aionctl needs)
 *   node scripts/build.mjs --modules  the AssemblyScript modules only
 *   node scripts/build.mjs --force    rebuild even what is up to date
 *
 * Plain JavaScript, so it runs on a fresh clone with nothing built.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))
export const distDir = join(root, 'dist')
/** The source trees compiled into `dist/`, relative to the root. */
const CODE_TREES = ['src', 'contracts']
/** Sources that are not part of the build output. */
const NOT_BUILT = /\.(test|fixture)\.ts$|\.d\.ts$/
const STAMP = join(distDir, '.build-stamp')
const LOCK = join(distDir, '.build-lock')

/** Every file under `dir` (relative to the root), sorted; a missing dir has none. */
function filesUnder(dir, skip = () => false) {
  const base = join(root, dir)
  if (!existsSync(base)) return []
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath ?? entry.path, entry.name)))
    .filter((file) => !skip(file))
    .sort()
}

/** A hash of the files' paths, sizes and modification times (and of `extra`). */
function fingerprint(files, extra = '') {
  const hash = createHash('sha256').update(extra)
  for (const file of files) {
    const { size, mtimeMs } = statSync(join(root, file))
    hash.update(`${file}\0${size}\0${mtimeMs}\n`)
  }
  return hash.digest('hex')
}

function readStamp(file) {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

function toolVersion(pkg) {
  return JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version
}

/** What the code build's output depends on: its sources, this script, the compiler. */
function codeSources() {
  const sources = CODE_TREES.flatMap((tree) => filesUnder(tree, (file) => NOT_BUILT.test(file)))
  const self = relative(root, fileURLToPath(import.meta.url))
  return { sources, print: fingerprint([...sources, self], `esbuild ${toolVersion('esbuild')}`) }
}

/** Whether `dist/` holds the build of the current sources. */
export function codeIsCurrent() {
  return readStamp(STAMP) === codeSources().print
}

/** Runs `work` holding `dist/.build-lock`, so concurrent builds (test workers, two shells) take turns. */
async function withLock(work) {
  mkdirSync(distDir, { recursive: true })
  for (;;) {
    try {
      mkdirSync(LOCK)
      break
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      // A lock older than a minute is left over from a build that was killed.
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > 60_000) rmSync(LOCK, { recursive: true, force: true })
      await sleep(50)
    }
  }
  try {
    return await work()
  } finally {
    rmSync(LOCK, { recursive: true, force: true })
  }
}

/** Compiles `src/` and `contracts/` into `dist/` when they changed; returns whether it built. */
export async function buildCode({ force = false, log = console.error } = {}) {
  if (!force && codeIsCurrent()) return false
  return withLock(async () => {
    const { sources, print } = codeSources()
    if (!force && readStamp(STAMP) === print) return false // built meanwhile by another process
    const started = performance.now()
    log(`[build] compiling the platform and aionctl (${sources.length} files) into dist/ …`)
    const { build } = await import('esbuild')
    const typescript = sources.filter((file) => file.endsWith('.ts'))
    await build({
      entryPoints: typescript.map((file) => join(root, file)),
      outdir: distDir,
      outbase: root,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      bundle: false,
      sourcemap: 'linked',
      logLevel: 'warning',
    })
    const written = new Set(typescript.map((file) => file.replace(/\.ts$/, '.js')))
    for (const file of typescript) written.add(file.replace(/\.ts$/, '.js.map'))
    for (const file of sources.filter((f) => !f.endsWith('.ts'))) {
      mkdirSync(dirname(join(distDir, file)), { recursive: true })
      copyFileSync(join(root, file), join(distDir, file))
      written.add(file)
    }
    removeStale(written)
    writeFileSync(STAMP, print)
    log(`[build] platform built in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return true
  })
}

/** Deletes what an earlier build left in `dist/` for sources that are gone. */
function removeStale(written) {
  for (const tree of CODE_TREES) {
    const base = join(distDir, tree)
    if (!existsSync(base)) continue
    for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath ?? entry.path, entry.name)
      if (entry.isFile() && !written.has(relative(distDir, path))) unlinkSync(path)
    }
    // Empty folders last, deepest first.
    const dirs = readdirSync(base, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
      .sort((a, b) => b.length - a.length)
    for (const dir of dirs) if (readdirSync(dir).length === 0) rmdirSync(dir)
  }
}

/** The AssemblyScript packages: `modules/<name>/asconfig.json`, each with its output file. */
function assemblyScriptModules() {
  const modulesDir = join(root, 'modules')
  if (!existsSync(modulesDir)) return []
  return readdirSync(modulesDir)
    .filter((name) => existsSync(join(modulesDir, name, 'asconfig.json')))
    .sort()
    .map((name) => {
      const dir = join('modules', name)
      const config = JSON.parse(readFileSync(join(root, dir, 'asconfig.json'), 'utf8'))
      const outFile = join(dir, config.targets.release.outFile)
      // Its own files (not its build output) and the shared library it imports.
      const sources = [
        ...filesUnder(dir, (file) => file.startsWith(join(dir, 'build') + '/')),
        ...filesUnder('modules-lib'),
      ]
      const stamp = join(root, dir, 'build', '.source-stamp')
      const print = fingerprint(sources, `assemblyscript ${toolVersion('assemblyscript')}`)
      const current = readStamp(stamp) === print && existsSync(join(root, outFile))
      return { name, dir, outFile, stamp, print, current }
    })
}

/** Compiles one module with `asc` in a child process; resolves its stderr on failure. */
function compileModule(module) {
  const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js')
  // asc resolves an extended config's `lib` wrongly from an absolute path: a relative one.
  const config = join(module.dir, 'asconfig.json')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [asc, '--config', config, '--target', 'release'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.once('error', reject)
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`asc failed for ${module.name}:\n${stderr}`)),
    )
  })
}

/** Compiles the modules whose sources changed, a few at a time; returns how many it built. */
export async function buildModules({ force = false, log = console.error } = {}) {
  if (!force && assemblyScriptModules().every((module) => module.current)) return 0
  return withLock(() => compileStale({ force, log }))
}

async function compileStale({ force, log }) {
  // Checked again under the lock: another process may have built them meanwhile.
  const stale = assemblyScriptModules().filter((module) => force || !module.current)
  if (stale.length === 0) return 0
  const started = performance.now()
  const names = stale.map((module) => module.name).join(', ')
  log(`[build] compiling ${stale.length} AssemblyScript module(s): ${names} (about 5-15 s each) …`)
  let done = 0
  const queue = [...stale]
  const worker = async () => {
    for (let module = queue.shift(); module; module = queue.shift()) {
      const began = performance.now()
      rmSync(module.stamp, { force: true })
      await compileModule(module)
      writeFileSync(module.stamp, module.print)
      done += 1
      const seconds = ((performance.now() - began) / 1000).toFixed(1)
      log(`[build]   ${module.name} (${done}/${stale.length}) built in ${seconds} s`)
    }
  }
  const lanes = Math.max(1, Math.min(stale.length, availableParallelism()))
  await Promise.all(Array.from({ length: lanes }, worker))
  log(`[build] modules built in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return stale.length
}

async function main(args) {
  const force = args.includes('--force')
  const only = args.includes('--code') ? 'code' : args.includes('--modules') ? 'modules' : 'all'
  if (only !== 'modules') await buildCode({ force })
  if (only !== 'code') await buildModules({ force })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`[build] failed: ${error.message}`)
    process.exitCode = 1
  })
}
