/**
 * A module's manifest decides its retries: `retries: 0` runs a module once even
 * on a retryable error (AION_MODULE_TIMEOUT), whatever the task's retry setting,
 * as the task's engine or as a pipeline step, and the failed task's envelope
 * reports the time it ran.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startHarness, type Harness } from '../control-plane.fixture.js'
import { compileWat, hostileWasmFixturesDir } from '../../runtime/test-packages.fixture.js'

let h: Harness
let packagesDir: string

/** summarize_text (`retries: 0`) whose code is the hostile infinite loop, killed at 300 ms. */
async function writeSpinningSummarizer(root: string): Promise<void> {
  const dir = join(root, 'summarize_text')
  await cp('modules/summarize_text', dir, { recursive: true })
  const manifestFile = join(dir, 'aip.yaml')
  const manifest = await readFile(manifestFile, 'utf8')
  await writeFile(manifestFile, manifest.replace('timeout_ms: 1500', 'timeout_ms: 300'))
  const source = join(hostileWasmFixturesDir, 'infinite_loop', 'module.wat')
  const binary = await compileWat('infinite_loop', await readFile(source, 'utf8'), '')
  await writeFile(join(dir, 'build', 'summarize_text.wasm'), binary)
}

beforeAll(async () => {
  packagesDir = await mkdtemp(join(tmpdir(), 'aion-module-retries-'))
  await writeSpinningSummarizer(packagesDir)
  await cp('modules/redact_pii', join(packagesDir, 'redact_pii'), { recursive: true })
  h = await startHarness({ packagesDir, settings: { retryMax: 2, retryBaseMs: 5 } })
}, 60_000)

afterAll(async () => {
  await h?.close()
  if (packagesDir) await rm(packagesDir, { recursive: true, force: true })
})

it('a module with `retries: 0` that times out runs once, and the envelope says how long', async () => {
  const queued = await h.submit({ intent: 'summarize', input: { text: 'x' }, route: 'local' })
  const done = await h.cp.waitForEnd('default', queued.task_id, 10_000)
  expect(done.status).toBe('failed')
  expect(done.error?.code).toBe('AION_MODULE_TIMEOUT')
  expect(done.engine?.name).toBe('summarize_text')
  const events = await h.cp.platformEvents(0, 10_000, 'aion.runtime.metrics')
  const runs = events
    .filter((e) => e.key === queued.task_id)
    .map((e) => e.payload as { engine: string; attempt: number; error_code: string })
  expect(runs).toEqual([
    expect.objectContaining({
      engine: 'summarize_text',
      attempt: 1,
      error_code: 'AION_MODULE_TIMEOUT',
    }),
  ])
  // The module ran its 300 ms before it was killed; the envelope says so.
  expect(done.usage.duration_ms).toBeGreaterThanOrEqual(300)
  expect(done.usage.duration_ms).toBeLessThan(2_000)
})

it('inside a pipeline too: its timeout fails the pipeline without a retry', async () => {
  // summarize_redacted: redact_pii, a model, then the spinning summarize_text.
  const queued = await h.submit({
    intent: 'summarize',
    input: { text: 'Jane Doe (jane.doe@example.com) asked for payment.' },
    route: 'hybrid',
  })
  const done = await h.cp.waitForEnd('default', queued.task_id, 10_000)
  expect(done.status).toBe('failed')
  expect(done.error?.code).toBe('AION_PIPELINE_STEP_FAILED')
  const events = await h.cp.platformEvents(0, 10_000, 'aion.runtime.metrics')
  const runs = events
    .filter((e) => e.key === queued.task_id)
    .map((e) => e.payload as { engine: string; attempt: number; step?: number })
    .filter((m) => m.engine === 'summarize_text')
  // Once per pipeline target tried (the decision's fallback is the same pipeline
  // on another model), never a second attempt on the same one.
  expect(runs.length).toBeGreaterThan(0)
  expect(runs.map((m) => [m.attempt, m.step])).toEqual(runs.map(() => [1, 2]))
})
