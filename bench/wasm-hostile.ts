/**
 * The hostile WASM modules of test/fixtures/modules/wasm, run one after another
 * beside a steady normal load, while the main thread's event loop is watched.
 *
 *   npm run bench:wasm-hostile   (BENCH_DURATION_S=20, BENCH_WORKERS=2, BENCH_IN_FLIGHT=2,
 *                                 BENCH_HOSTILE_GAP_MS=0)
 *
 * Measures, over the run:
 * - the event-loop delay (`monitorEventLoopDelay`, 1 ms resolution): p50/p99/max;
 * - round trips of a `/healthz`-like HTTP endpoint served by this process, once
 *   every 10 ms (what a health check sees while modules are killed);
 * - how late each kill comes: from the call's submission to its AION_MODULE_TIMEOUT,
 *   less the module's limit (infinite_loop at 300 ms, grow_then_spin at 300 ms);
 * - the normal calls (the `echo` module) served meanwhile, and any that failed.
 *
 * Targets (issue 12): event-loop delay p99 < 20 ms; every kill within 100 ms of
 * its limit. Prints a markdown table and whether each target was met.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import { isAionError } from '../src/core/errors/index.js'
import { writeHostileWasmPackages } from '../src/runtime/test-packages.fixture.js'
import { createModuleExecutor } from '../src/runtime/wasm/wasm-module-executor.js'
import { loadPackages } from '../src/distribution/aip/index.js'

const durationMs = Number(process.env.BENCH_DURATION_S ?? 20) * 1000
const workers = Number(process.env.BENCH_WORKERS ?? 2)
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 2)
/** A pause before each hostile call (0: back to back). */
const gapMs = Number(process.env.BENCH_HOSTILE_GAP_MS ?? 0)

/** The hostile calls, in turn; `limitMs` where the call must end in a kill. */
const hostile: readonly { module: string; timeoutMs: number; limitMs?: number }[] = [
  { module: 'infinite_loop', timeoutMs: 300, limitMs: 300 },
  { module: 'grow_then_spin', timeoutMs: 300, limitMs: 300 },
  { module: 'memory_hog', timeoutMs: 5_000 },
  { module: 'deep_recursion', timeoutMs: 5_000 },
  { module: 'stdout_flood', timeoutMs: 10_000 },
  { module: 'invalid_json', timeoutMs: 5_000 },
]

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

const ms = (n: number) => n.toFixed(1)

const root = await mkdtemp(join(tmpdir(), 'aion-bench-hostile-'))
await writeHostileWasmPackages(root)
const executor = await createModuleExecutor({ packages: await loadPackages(root), workers })

const health = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end('{"status":"ok"}')
})
await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve))
const healthPort = (health.address() as AddressInfo).port

function healthRoundTrip(): Promise<number> {
  const startedAt = performance.now()
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: healthPort, path: '/healthz', agent: false })
    req.on('response', (res) => {
      res.resume()
      res.on('end', () => resolve(performance.now() - startedAt))
    })
    req.on('error', reject)
    req.end()
  })
}

let stop = false
const normal = { calls: 0, failures: 0 }
const healthRtts: number[] = []
const lateness = new Map<string, number[]>()
const unexpected: string[] = []

async function normalLoad(): Promise<void> {
  while (!stop) {
    try {
      const text = `call ${normal.calls}`
      const result = await executor.run({
        module: 'echo',
        input: { text },
        signal: new AbortController().signal,
        timeoutMs: 5_000,
      })
      if ((result.output as { text?: string }).text !== text) normal.failures++
      normal.calls++
    } catch {
      normal.failures++
    }
  }
}

async function hostileLoad(): Promise<void> {
  for (let i = 0; !stop; i++) {
    const call = hostile[i % hostile.length] as (typeof hostile)[number]
    if (gapMs > 0) await delay(gapMs)
    const startedAt = performance.now()
    const error = await executor
      .run({
        module: call.module,
        input: {},
        signal: new AbortController().signal,
        timeoutMs: call.timeoutMs,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    const elapsed = performance.now() - startedAt
    if (!isAionError(error)) {
      unexpected.push(`${call.module}: ${String(error)}`)
    } else if (call.limitMs !== undefined) {
      if (error.code !== 'AION_MODULE_TIMEOUT') unexpected.push(`${call.module}: ${error.code}`)
      const list = lateness.get(call.module) ?? []
      list.push(elapsed - call.limitMs)
      lateness.set(call.module, list)
    }
  }
}

async function healthLoad(): Promise<void> {
  while (!stop) {
    healthRtts.push(await healthRoundTrip())
    await delay(10)
  }
}

// Warm-up: a few normal calls before anything is measured.
for (let i = 0; i < 50; i++) {
  await executor.run({
    module: 'echo',
    input: { text: 'warm' },
    signal: new AbortController().signal,
    timeoutMs: 5_000,
  })
}
const loop = monitorEventLoopDelay({ resolution: 1 })
loop.enable()
const cpuBefore = process.cpuUsage()
const startedAt = performance.now()
const loads = [...Array.from({ length: inFlight }, () => normalLoad()), hostileLoad(), healthLoad()]
await delay(durationMs)
stop = true
await Promise.all(loads)
const elapsedMs = performance.now() - startedAt
const cpu = process.cpuUsage(cpuBefore)
loop.disable()
await executor.close()
await new Promise((resolve) => health.close(resolve))
await rm(root, { recursive: true, force: true })

const loopP99 = loop.percentile(99) / 1e6
const rtts = [...healthRtts].sort((a, b) => a - b)
const allLateness = [...lateness.values()].flat()
const worstLateness = Math.max(...allLateness)

console.log(`# Hostile WASM beside a normal load`)
console.log()
console.log(
  `${cpus()[0]?.model ?? 'unknown CPU'} × ${availableParallelism()}, Node ${process.version}; ` +
    `${workers} workers, ${inFlight} normal calls in flight, ${(elapsedMs / 1000).toFixed(1)} s; ` +
    `process CPU ${((cpu.user + cpu.system) / 1000 / elapsedMs).toFixed(2)} cores`,
)
console.log()
console.log('| measure | p50 | p99 | max | n |')
console.log('| --- | ---: | ---: | ---: | ---: |')
console.log(
  `| event-loop delay (ms) | ${ms(loop.percentile(50) / 1e6)} | ${ms(loopP99)} | ${ms(loop.max / 1e6)} | ${loop.count} |`,
)
console.log(
  `| /healthz round trip (ms) | ${ms(percentile(rtts, 50))} | ${ms(percentile(rtts, 99))} | ${ms(rtts.at(-1) ?? Number.NaN)} | ${rtts.length} |`,
)
for (const [module, list] of lateness) {
  const sorted = [...list].sort((a, b) => a - b)
  console.log(
    `| kill after the limit, ${module} (ms) | ${ms(percentile(sorted, 50))} | ${ms(percentile(sorted, 99))} | ${ms(sorted.at(-1) ?? Number.NaN)} | ${sorted.length} |`,
  )
}
console.log()
console.log(
  `Normal calls: ${normal.calls} (${((normal.calls / elapsedMs) * 1000).toFixed(0)}/s), ${normal.failures} failed; ` +
    `unexpected hostile outcomes: ${unexpected.length === 0 ? 'none' : unexpected.join('; ')}`,
)
const loopMet = loopP99 < 20
const killMet = worstLateness < 100
console.log(
  `Targets: event-loop delay p99 < 20 ms: ${loopMet ? 'met' : 'NOT met'} (${ms(loopP99)} ms); ` +
    `every kill within 100 ms of its limit: ${killMet ? 'met' : 'NOT met'} (worst ${ms(worstLateness)} ms)`,
)
