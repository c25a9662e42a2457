/**
 * A module killed at its deadline while it grows its memory leaves nothing behind:
 * its thread is gone and the process is idle again right after the kill. V8 only
 * stops WebAssembly at a loop or call check, and with dynamic tiering a loop that
 * only calls `memory.grow` had none: the killed thread went on growing (each grow
 * paying a full GC for the memory's external size) for about a minute.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { loadPackages } from '../../distribution/aip/index.js'
import { failureOf } from '../../../test/support/failure.js'
import { writeHostileWasmPackages } from '../test-packages.fixture.js'
import { createModuleExecutor, type ClosableModuleExecutor } from './wasm-module-executor.js'

let root: string
let executor: ClosableModuleExecutor

const threadCount = async () => (await readdir('/proc/self/task')).length

/** Cores this process used over the next `ms` milliseconds. */
async function coresUsedOver(ms: number): Promise<number> {
  const before = process.cpuUsage()
  const startedAt = performance.now()
  await delay(ms)
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000 / (performance.now() - startedAt)
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'aion-wasm-kill-'))
  await writeHostileWasmPackages(root)
  executor = await createModuleExecutor({ packages: await loadPackages(root), workers: 2 })
}, 120_000)

afterAll(async () => {
  await executor?.close()
  if (root) await rm(root, { recursive: true, force: true })
})

it('a module killed while growing its memory leaves no thread and no busy CPU behind', async () => {
  // Settle after start: the workers' boot is done before the baseline is taken.
  await delay(300)
  const threadsBefore = await threadCount()
  const signal = new AbortController().signal
  const call = executor.run({ module: 'grow_then_spin', input: {}, signal, timeoutMs: 1_000 })
  const error = await failureOf(call)
  expect(error.code).toBe('AION_MODULE_TIMEOUT')
  // The killed thread goes, and its replacement starts in its place.
  await expect.poll(threadCount, { timeout: 1_000, interval: 20 }).toBe(threadsBefore)
  // Idle within a second of the kill: the window after it uses a small part of a core
  // (a thread still growing its memory used one to two cores, most of it in GC).
  await delay(500)
  const cores = await coresUsedOver(1_000)
  expect(cores).toBeLessThan(0.25)
  // The executor goes on serving.
  const more = await failureOf(
    executor.run({ module: 'infinite_loop', input: {}, signal, timeoutMs: 1_000 }),
  )
  expect(more.code).toBe('AION_MODULE_TIMEOUT')
})
