/**
 * One executor for both runtimes: a WASM package (summarize_text, built by
 * `npm run build:modules`) and a sandboxed subprocess package (echo) served side
 * by side from one directory; a name both provide goes to the WASM package.
 */
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithEngine, type EngineProbe } from '../../test/support/engines.js'
import { createCombinedModuleExecutor, type CombinedModuleExecutor } from './combined-executor.js'
import { probeSandbox, type SandboxStatus } from './subprocess/sandbox-probe.js'
import { loadPackages } from '../distribution/aip/index.js'

const status = await probeSandbox()
const probe: EngineProbe<SandboxStatus> = status.available
  ? { ok: true, value: status }
  : { ok: false, reason: status.reason }

describeWithEngine('bubblewrap', probe, () => {
  let dir: string
  let executor: CombinedModuleExecutor
  const run = (module: string, input: unknown) =>
    executor.run({ module, input, signal: new AbortController().signal, timeoutMs: 5000 })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aion-both-'))
    // The sandbox user must be able to reach the packages.
    await chmod(dir, 0o755)
    await cp(resolve('modules/summarize_text'), join(dir, 'summarize_text'), { recursive: true })
    await cp(resolve('test/fixtures/modules/subprocess/echo'), join(dir, 'echo'), {
      recursive: true,
    })
    const twin = join(dir, 'zz_twin')
    await cp(resolve('test/fixtures/modules/subprocess/echo'), twin, { recursive: true })
    const manifest = await readFile(join(twin, 'aip.yaml'), 'utf8')
    await writeFile(join(twin, 'aip.yaml'), manifest.replace('name: echo', 'name: summarize_text'))
    executor = await createCombinedModuleExecutor({ packages: await loadPackages(dir) })
  })

  afterAll(async () => {
    await executor.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('lists the modules of both runtimes', () => {
    const runtimes = [...executor.modules()].map(([name, d]) => [name, d.runtime]).sort()
    expect(runtimes).toEqual([
      ['echo', 'subprocess'],
      ['summarize_text', 'wasm'],
    ])
    expect(executor.sandbox().available).toBe(true)
  })

  it('runs each call on its runtime', async () => {
    const text = 'Modules run in two runtimes. WASM is the default. Subprocesses are sandboxed.'
    const [summary, echo] = await Promise.all([
      run('summarize_text', { text, max_sentences: 1 }),
      run('echo', { from: 'subprocess' }),
    ])
    expect(summary.output).toMatchObject({ summary: expect.any(String) })
    expect(echo.output).toMatchObject({ echo: { from: 'subprocess' } })
  })

  it('quarantines a subprocess package whose name a WASM package already has', () => {
    const twins = executor
      .quarantined()
      .filter((q) => q.error.fields.violations.some((v) => v.keyword === 'unique'))
    expect(twins).toHaveLength(1)
  })

  it('refuses calls after close', async () => {
    const closing = await createCombinedModuleExecutor({ packages: await loadPackages(dir) })
    await closing.close()
    await expect(
      closing.run({
        module: 'echo',
        input: {},
        signal: new AbortController().signal,
        timeoutMs: 1000,
      }),
    ).rejects.toMatchObject({ code: 'AION_MODULE_EXECUTOR_CLOSED' })
  })
})
