/**
 * A module call's `traceparent` reaches the module as the environment
 * variable `TRACEPARENT`, in WASM (its WASI environment) and in a subprocess,
 * and is absent when the call has none.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadPackages } from '../src/distribution/aip/index.js'
import { Secret } from '../src/core/secret.js'
import {
  createModuleExecutor,
  createSubprocessExecutor,
  probeSandbox,
  type ClosableModuleExecutor,
} from '../src/runtime/index.js'
import { writeHostileWasmPackages } from '../src/runtime/test-packages.fixture.js'

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
let root: string
let wasm: ClosableModuleExecutor
let subprocess: ClosableModuleExecutor

const run = (executor: ClosableModuleExecutor, module: string, withTrace: boolean) =>
  executor.run({
    module,
    input: {},
    signal: new AbortController().signal,
    timeoutMs: 10_000,
    ...(withTrace ? { traceparent } : {}),
  })

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'aion-traceparent-'))
  await writeHostileWasmPackages(root)
  wasm = await createModuleExecutor({
    packages: await loadPackages(root),
    workers: 1,
    secrets: new Map([['API_TOKEN', new Secret('s3cret-token')]]),
  })
  const sandbox = await probeSandbox()
  subprocess = await createSubprocessExecutor({
    packages: await loadPackages(resolve('test/fixtures/modules/subprocess'), {
      runtimes: ['subprocess'],
    }),
    secrets: new Map([['DEMO_TOKEN', new Secret('token-for-read-env')]]),
    // Where bubblewrap cannot run, the development override still shows the environment handed over.
    allowUnsandboxed: !sandbox.available,
    logger: { info: () => undefined, warn: () => undefined },
  })
}, 120_000)

afterAll(async () => {
  await Promise.all([wasm?.close(), subprocess?.close()])
  if (root) await rm(root, { recursive: true, force: true })
})

describe('TRACEPARENT', () => {
  it('is in a WASM module’s environment when the call carries one', async () => {
    const traced = (await run(wasm, 'sandbox_probe', true)).output as { env: string }
    expect(traced.env.split(';')).toContain(`TRACEPARENT=${traceparent}`)
    const plain = (await run(wasm, 'sandbox_probe', false)).output as { env: string }
    expect(plain.env).not.toContain('TRACEPARENT')
  })

  it('is in a subprocess module’s environment when the call carries one', async () => {
    const found = async (withTrace: boolean) => {
      const { output } = await run(subprocess, 'read_env', withTrace)
      return Buffer.from((output as { found_base64: string }).found_base64, 'base64').toString()
    }
    expect((await found(true)).split('\n')).toContain(`TRACEPARENT=${traceparent}`)
    expect(await found(false)).not.toContain(traceparent)
  })
})
