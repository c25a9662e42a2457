/**
 * The reloadable executor over real WASM packages: a package put into the
 * packages directory is served after `reload()` without a restart, one taken
 * away is gone, and a call in flight during a reload ends on its own terms.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createCombinedModuleExecutor } from '../../runtime/combined-executor.js'
import { writeHostileWasmPackages } from '../../runtime/test-packages.fixture.js'
import { createReloadableExecutor, type ReloadableModuleExecutor } from './reloadable-executor.js'
import { loadPackages } from '../aip/index.js'

let work: string
let packagesDir: string
let fixtures: string
let executor: ReloadableModuleExecutor

const run = (module: string, input: unknown, timeoutMs = 5000) =>
  executor.run({ module, input, signal: new AbortController().signal, timeoutMs })

/** Copies the `echo` fixture in as package `name`. */
async function addEcho(name: string, version = '0.0.1'): Promise<void> {
  const dir = join(packagesDir, name)
  await cp(join(fixtures, 'echo'), dir, { recursive: true })
  const manifest = await readFile(join(dir, 'aip.yaml'), 'utf8')
  await writeFile(
    join(dir, 'aip.yaml'),
    manifest.replace('name: echo, version: 0.0.1', `name: ${name}, version: ${version}`),
  )
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'aion-reload-'))
  fixtures = join(work, 'fixtures')
  packagesDir = join(work, 'modules')
  await writeHostileWasmPackages(fixtures)
  await cp(join(fixtures, 'infinite_loop'), join(packagesDir, 'infinite_loop'), { recursive: true })
  await addEcho('first_echo')
  executor = await createReloadableExecutor(async () =>
    createCombinedModuleExecutor({ packages: await loadPackages(packagesDir) }),
  )
})

afterAll(async () => {
  await executor?.close()
  await rm(work, { recursive: true, force: true })
})

it('serves a package installed after start once reloaded, and drops a removed one', async () => {
  expect([...executor.modules().keys()].sort()).toEqual(['first_echo', 'infinite_loop'])
  await addEcho('second_echo')
  await expect(run('second_echo', { text: 'x' })).rejects.toMatchObject({
    code: 'AION_MODULE_NOT_FOUND',
  })
  const before = executor.modules()
  await rm(join(packagesDir, 'first_echo'), { recursive: true })
  const report = await executor.reload()
  expect(report).toEqual({
    added: ['second_echo'],
    removed: ['first_echo'],
    changed: [],
    quarantined: 0,
  })
  // A new map, so whoever cached the old one (the router) sees the change.
  expect(executor.modules()).not.toBe(before)
  expect((await run('second_echo', { text: 'hello' })).output).toEqual({ text: 'hello' })
  await expect(run('first_echo', { text: 'x' })).rejects.toMatchObject({
    code: 'AION_MODULE_NOT_FOUND',
  })
})

it('reports a changed version and a package that fails its checks', async () => {
  await rm(join(packagesDir, 'second_echo'), { recursive: true })
  await addEcho('second_echo', '0.0.2')
  await cp(join(fixtures, 'unbounded_memory'), join(packagesDir, 'unbounded_memory'), {
    recursive: true,
  })
  const report = await executor.reload()
  expect(report).toMatchObject({ changed: ['second_echo'], quarantined: 1 })
  expect(executor.modules().get('second_echo')?.version).toBe('0.0.2')
  expect(executor.modules().has('unbounded_memory')).toBe(false)
})

it('lets a call in flight end on the executor it started on', async () => {
  const started = Date.now()
  const spinning = run('infinite_loop', {}, 300).catch((error: unknown) => error)
  const reloaded = executor.reload().then(() => Date.now())
  const outcome = await spinning
  const settled = Date.now()
  // Killed by its own timeout, not by the old executor closing under it.
  expect(outcome).toMatchObject({ code: 'AION_MODULE_TIMEOUT' })
  expect(settled - started).toBeGreaterThanOrEqual(250)
  expect(await reloaded).toBeGreaterThanOrEqual(settled)
})

it('refuses calls and reloads after close', async () => {
  const closing = await createReloadableExecutor(async () =>
    createCombinedModuleExecutor({ packages: await loadPackages(packagesDir) }),
  )
  await closing.close()
  const call = { module: 'second_echo', input: { text: 'x' }, timeoutMs: 1000 }
  await expect(
    closing.run({ ...call, signal: new AbortController().signal }),
  ).rejects.toMatchObject({ code: 'AION_MODULE_EXECUTOR_CLOSED' })
  await expect(closing.reload()).rejects.toMatchObject({ code: 'AION_MODULE_EXECUTOR_CLOSED' })
})
