/**
 * The one shared suite every module executor must pass, as the store suite is
 * for storage engines: the same `case_probe` module, built for each runtime
 * (test/fixtures/modules/cases/<runtime>/case_probe), gets the same inputs and
 * must end with the same outcomes — its answer, its log, a bad output, a non-zero
 * exit, a timeout, a cancel, running out of memory, a crash, a stdout flood.
 * Each executor's test file calls `runModuleExecutorSuite` with a factory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { failureOf } from '../../test/support/failure.js'
import type { ModuleExecutor, ModuleResult } from './module-executor.js'

/** An executor serving `case_probe`, and how to close it. */
export interface OpenedExecutor {
  readonly executor: ModuleExecutor
  close(): Promise<void>
}

const MODULE = 'case_probe'

/** Runs every executor case against the executor `open` returns. */
export function runModuleExecutorSuite(
  name: string,
  runtime: 'wasm' | 'subprocess',
  open: () => Promise<OpenedExecutor>,
): void {
  describe(name, () => {
    let opened: OpenedExecutor | undefined
    const executor = (): ModuleExecutor => {
      if (!opened) throw new TypeError('the executor did not open')
      return opened.executor
    }
    const run = (input: unknown, options: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
      executor().run({
        module: MODULE,
        input,
        signal: options.signal ?? new AbortController().signal,
        timeoutMs: options.timeoutMs ?? 5_000,
      })

    beforeAll(async () => {
      opened = await open()
    }, 120_000)
    afterAll(async () => {
      await opened?.close()
    })

    it('describes the module from its manifest', () => {
      expect(executor().modules().get(MODULE)).toMatchObject({
        name: MODULE,
        version: '1.0.0',
        runtime,
        intents: ['probe'],
        timeoutMs: 1_500,
        retries: 0,
      })
    })

    it('answers with its output, the request delivered whole on stdin', async () => {
      const input = { mode: 'answer', text: 'héllo wörld ✓' }
      const result: ModuleResult = await run(input)
      const stdinBytes = Buffer.byteLength(JSON.stringify(input))
      expect(result.output).toEqual({ echo: 'ok', stdinBytes })
      expect(result.logs).toBe('')
      expect(result.durationMs).toBeGreaterThan(0)
    })

    it('returns what the module logged on stderr', async () => {
      const result = await run({ mode: 'log' })
      expect(result.output).toMatchObject({ echo: 'ok' })
      expect(result.logs).toBe('probe log line\n')
    })

    it('refuses input its schema rejects, before running anything', async () => {
      const error = await failureOf(run({ mode: 'sing', extra: 1 }))
      expect(error.code).toBe('AION_MODULE_INPUT_INVALID')
      const keywords = (error.fields.violations as { keyword: string }[]).map((v) => v.keyword)
      expect(keywords.sort()).toEqual(['additionalProperties', 'enum'])
    })

    it('refuses output its schema does not allow', async () => {
      const error = await failureOf(run({ mode: 'bad' }))
      expect(error.code).toBe('AION_MODULE_OUTPUT_INVALID')
      const keywords = (error.fields.violations as { keyword: string }[]).map((v) => v.keyword)
      expect(keywords.sort()).toEqual(['additionalProperties', 'required', 'required'])
    })

    it('refuses output that is not JSON', async () => {
      const error = await failureOf(run({ mode: 'notjson' }))
      expect(error.code).toBe('AION_MODULE_OUTPUT_INVALID')
      expect(error.fields.violations).toEqual([expect.objectContaining({ keyword: 'json' })])
    })

    it('reports the error a module exits with', async () => {
      const error = await failureOf(run({ mode: 'fail' }))
      expect(error.code).toBe('AION_MODULE_FAILED')
      expect(error.fields).toMatchObject({
        module: MODULE,
        exitCode: 3,
        moduleCode: 'PROBE_FAILED',
        detail: 'asked to fail',
      })
    })

    it('kills a module that runs past its timeout', async () => {
      const error = await failureOf(run({ mode: 'spin' }, { timeoutMs: 300 }))
      expect(error.code).toBe('AION_MODULE_TIMEOUT')
      expect(error.fields).toEqual({ module: MODULE, timeoutMs: 300 })
    })

    it('caps the timeout at the manifest timeout', async () => {
      const error = await failureOf(run({ mode: 'fail' }, { timeoutMs: 600_000 }))
      expect(error.code).toBe('AION_MODULE_FAILED')
      const spin = await failureOf(
        run({ mode: 'spin' }, { timeoutMs: 600_000, signal: AbortSignal.timeout(10_000) }),
      )
      expect(spin.code).toBe('AION_MODULE_TIMEOUT')
      expect(spin.fields).toEqual({ module: MODULE, timeoutMs: 1_500 })
    })

    it('kills a module when its signal aborts', async () => {
      const controller = new AbortController()
      const call = run({ mode: 'spin' }, { signal: controller.signal })
      setTimeout(() => controller.abort(), 150)
      const error = await failureOf(call)
      expect(error.code).toBe('AION_MODULE_CANCELLED')
      expect((await run({ mode: 'answer' })).output).toMatchObject({ echo: 'ok' })
    })

    it('stops a module at its memory limit', async () => {
      const error = await failureOf(run({ mode: 'grow' }))
      expect(error.code).toBe('AION_MODULE_MEMORY_EXCEEDED')
      expect(error.fields.module).toBe(MODULE)
    })

    it('turns a crash into AION_MODULE_CRASHED', async () => {
      const error = await failureOf(run({ mode: 'crash' }))
      expect(error.code).toBe('AION_MODULE_CRASHED')
    })

    it('caps stdout', async () => {
      const error = await failureOf(run({ mode: 'flood' }))
      expect(error.code).toBe('AION_MODULE_OUTPUT_TOO_LARGE')
      expect(error.fields).toEqual({ module: MODULE, limitBytes: 1024 * 1024 })
    })

    it('knows no module it was not given', async () => {
      const call = executor().run({
        module: 'missing',
        input: {},
        signal: new AbortController().signal,
        timeoutMs: 1_000,
      })
      expect((await failureOf(call)).code).toBe('AION_MODULE_NOT_FOUND')
    })
  })
}
