/**
 * What is particular to the WASM executor: package loading and quarantine, a
 * fresh instance per call, its arguments and environment, the worker pool's
 * replacement of killed workers, closing. What every executor must do alike is
 * in wasm-executor-cases.test.ts (module-executor.case.ts).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAionError } from '../../core/errors/index.js'
import { writeProbePackage } from '../test-packages.fixture.js'
import { createModuleExecutor, type ClosableModuleExecutor } from './wasm-module-executor.js'
import { loadPackages } from '../../distribution/aip/index.js'

let root: string
let executor: ClosableModuleExecutor

function run(input: unknown, options: { signal?: AbortSignal; timeoutMs?: number } = {}) {
  return executor.run({
    module: 'probe',
    input,
    signal: options.signal ?? new AbortController().signal,
    timeoutMs: options.timeoutMs ?? 5_000,
  })
}

/** The AION error code a rejected promise carries. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isAionError(error)) throw new Error(`expected an AionError, got ${String(error)}`)
  return error.code
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'aion-modules-'))
  await Promise.all([
    writeProbePackage(root, { name: 'probe', memory: '16Mi', maximumMemoryPages: 256 }),
    writeProbePackage(root, { name: 'unbounded', memory: '16Mi' }),
    writeProbePackage(root, { name: 'greedy', memory: '1Mi', maximumMemoryPages: 256 }),
  ])
  await mkdir(join(root, 'bad_manifest'))
  await writeFile(join(root, 'bad_manifest', 'aip.yaml'), 'apiVersion: aionos/v2\nkind: Nope\n')
  await mkdir(join(root, 'not_built'))
  const notBuilt = join(root, 'not_built')
  await writeFile(
    join(notBuilt, 'aip.yaml'),
    [
      'apiVersion: aionos/v1',
      'kind: AgentPackage',
      'metadata: { name: not_built, version: 1.0.0, authors: [tests], license: MIT }',
      'runtime: { type: wasm, wasi: true, module: build/x.wasm, resources: { memory: 1Mi } }',
      'permissions: { filesystem: none, network: deny }',
      'entrypoints: { schema: { input: in.json, output: out.json } }',
      'intents: [probe]',
      'policies: { timeout_ms: 100 }',
    ].join('\n'),
  )
  await writeFile(join(notBuilt, 'in.json'), '{"type":"object"}')
  await writeFile(join(notBuilt, 'out.json'), '{"type":"object"}')
  executor = await createModuleExecutor({ packages: await loadPackages(root), workers: 2 })
}, 120_000)

afterAll(async () => {
  await executor?.close()
  if (root) await rm(root, { recursive: true, force: true })
})

describe('loading packages', () => {
  it('offers the valid package with its manifest data', () => {
    const probe = executor.modules().get('probe')
    expect([...executor.modules().keys()]).toEqual(['probe'])
    expect(probe).toMatchObject({
      name: 'probe',
      version: '0.0.1',
      runtime: 'wasm',
      timeoutMs: 500,
    })
    expect(probe?.intents).toEqual(['probe'])
    expect(probe?.inputSchema).toMatchObject({ required: ['mode'] })
  })

  it('quarantines every broken package with its reason', () => {
    const reasons = new Map(
      executor.quarantined().map((q) => [q.error.fields.package, q.error.fields]),
    )
    expect([...reasons.keys()].sort()).toEqual(['bad_manifest', 'greedy', 'not_built', 'unbounded'])
    expect(reasons.get('unbounded')?.violations.map((v) => v.keyword)).toEqual(['maximumMemory'])
    expect(reasons.get('unbounded')?.violations[0]?.message).toContain('no memory maximum')
    expect(reasons.get('greedy')?.violations[0]?.message).toContain("over the manifest's 1Mi")
    expect(reasons.get('not_built')?.file).toBe('build/x.wasm')
    const manifestPaths = reasons.get('bad_manifest')?.violations.map((v) => v.path)
    expect(manifestPaths).toEqual(expect.arrayContaining(['/apiVersion', '/kind', '/metadata']))
    for (const q of executor.quarantined()) expect(q.error.code).toBe('AION_MODULE_PACKAGE_INVALID')
  })
})

describe('running a call', () => {
  it('runs each call in a fresh instance: module state never carries over', async () => {
    const results = []
    for (let i = 0; i < 4; i++) results.push(await run({ mode: 'answer' }))
    const parallel = await Promise.all(Array.from({ length: 6 }, () => run({ mode: 'answer' })))
    for (const result of [...results, ...parallel]) {
      expect(result.output).toMatchObject({ calls: 1 })
    }
  })

  it('gives the instance only its name as argument, no environment, and the request on stdin', async () => {
    const padding = 'é'.repeat(100)
    const result = await run({ mode: 'answer', padding })
    const expectedBytes = Buffer.byteLength(JSON.stringify({ mode: 'answer', padding }))
    expect(result.output).toEqual({
      calls: 1,
      argc: 1,
      arg0: 'probe',
      env: 0,
      stdinBytes: expectedBytes,
    })
    expect(result.durationMs).toBeGreaterThan(0)
  })
})

describe('killing instances', () => {
  it('kills an instance that runs past its timeout and replaces its worker', async () => {
    const startedAt = performance.now()
    expect(await codeOf(run({ mode: 'spin' }, { timeoutMs: 200 }))).toBe('AION_MODULE_TIMEOUT')
    expect(performance.now() - startedAt).toBeLessThan(4_000)
    // Both workers are busy spinning and then killed; the pool keeps serving afterwards.
    const spins = [
      run({ mode: 'spin' }, { timeoutMs: 150 }),
      run({ mode: 'spin' }, { timeoutMs: 150 }),
    ]
    for (const spin of spins) expect(await codeOf(spin)).toBe('AION_MODULE_TIMEOUT')
    const after = await Promise.all([run({ mode: 'answer' }), run({ mode: 'answer' })])
    for (const result of after) expect(result.output).toMatchObject({ calls: 1 })
  })

  it('does not start a call whose signal is already aborted', async () => {
    expect(await codeOf(run({ mode: 'answer' }, { signal: AbortSignal.abort() }))).toBe(
      'AION_MODULE_CANCELLED',
    )
  })
})

describe('closing', () => {
  it('fails calls in flight and later ones with AION_MODULE_EXECUTOR_CLOSED', async () => {
    const own = await createModuleExecutor({ packages: await loadPackages(root), workers: 1 })
    const call = codeOf(
      own.run({
        module: 'probe',
        input: { mode: 'spin' },
        signal: new AbortController().signal,
        timeoutMs: 5_000,
      }),
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    await own.close()
    expect(await call).toBe('AION_MODULE_EXECUTOR_CLOSED')
    const later = own.run({
      module: 'probe',
      input: { mode: 'answer' },
      signal: new AbortController().signal,
      timeoutMs: 5_000,
    })
    expect(await codeOf(later)).toBe('AION_MODULE_EXECUTOR_CLOSED')
  })
})
