/**
 * summarize_text on a 2 KB input through the executor's warm worker pool, next to
 * the floor: a bare `WebAssembly.instantiate` + run of the same compiled module on
 * the main thread (fresh WASI shim and instance per call, nothing else).
 *
 *   npm run bench:wasm                     (BENCH_DURATION_S=5 by default per phase)
 *
 * Prints a markdown table: latency p50/p99 of one call at a time, and calls/s with
 * enough calls in flight to keep every worker busy (2 workers: the 2-core target).
 */
import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim'
import { ensureSummarizeTextBuilt, modulesDir } from '../src/runtime/test-packages.fixture.js'
import { wasm, type WasmModule } from '../src/runtime/wasm-api.js'
import { createModuleExecutor } from '../src/runtime/wasm-module-executor.js'

const durationMs = Number(process.env.BENCH_DURATION_S ?? 5) * 1000
const workers = Number(process.env.BENCH_WORKERS ?? 2)
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 8)

const sentences = [
  'Solar panels turn sunlight into electricity without moving parts.',
  'The weather in the capital was mild on Tuesday.',
  'Modern solar panels convert about 22 percent of sunlight into electricity.',
  'A local bakery opened a second shop downtown.',
  'Cheaper panels and better batteries make solar power the cheapest in many regions.',
  'The football match ended in a draw after extra time.',
]

/** A text of about `bytes` bytes made of the sentences above. */
function textOf(bytes: number): string {
  let text = ''
  for (let i = 0; text.length < bytes; i++) text += `${sentences[i % sentences.length]} `
  return text.slice(0, bytes).trim()
}

const input = { text: textOf(2048), max_sentences: 3 }
const stdin = new TextEncoder().encode(JSON.stringify(input))

interface Figures {
  readonly calls: number
  readonly callsPerSec: number
  readonly p50Us: number
  readonly p99Us: number
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN
}

/** Runs `call` one at a time for the duration; latency figures. */
async function sequential(call: () => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = []
  for (let i = 0; i < 200; i++) await call() // warm-up: JIT, pool, caches
  const startedAt = performance.now()
  while (performance.now() - startedAt < durationMs) {
    const t0 = performance.now()
    await call()
    latencies.push(performance.now() - t0)
  }
  const elapsedMs = performance.now() - startedAt
  latencies.sort((a, b) => a - b)
  return {
    calls: latencies.length,
    callsPerSec: (latencies.length / elapsedMs) * 1000,
    p50Us: percentile(latencies, 0.5) * 1000,
    p99Us: percentile(latencies, 0.99) * 1000,
  }
}

/** Keeps `concurrency` calls in flight for the duration; throughput and latency under load. */
async function loaded(call: () => Promise<unknown>, concurrency: number): Promise<Figures> {
  const latencies: number[] = []
  const startedAt = performance.now()
  const lane = async (): Promise<void> => {
    while (performance.now() - startedAt < durationMs) {
      const t0 = performance.now()
      await call()
      latencies.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  const elapsedMs = performance.now() - startedAt
  latencies.sort((a, b) => a - b)
  return {
    calls: latencies.length,
    callsPerSec: (latencies.length / elapsedMs) * 1000,
    p50Us: percentile(latencies, 0.5) * 1000,
    p99Us: percentile(latencies, 0.99) * 1000,
  }
}

async function floorCall(module: WasmModule): Promise<unknown> {
  const out: Uint8Array[] = []
  const wasi = new WASI(
    ['summarize_text'],
    [],
    [
      new OpenFile(new File(stdin, { readonly: true })),
      new ConsoleStdout((chunk) => out.push(chunk)),
      new ConsoleStdout(() => undefined),
    ],
    { debug: false },
  )
  const instance = await wasm.instantiate(module, {
    wasi_snapshot_preview1: wasi.wasiImport,
  })
  const exitCode = wasi.start(instance as never)
  if (exitCode !== 0) throw new Error(`summarize_text exited with ${exitCode}`)
  return JSON.parse(Buffer.concat(out).toString('utf8'))
}

function row(name: string, f: Figures): string {
  const rate = Math.round(f.callsPerSec).toLocaleString('en-US')
  return `| ${name} | ${rate} | ${f.p50Us.toFixed(0)} | ${f.p99Us.toFixed(0)} | ${f.calls} |`
}

async function main(): Promise<void> {
  await ensureSummarizeTextBuilt()
  const binary = await readFile(join(modulesDir, 'summarize_text', 'build', 'summarize_text.wasm'))
  const module = await wasm.compile(binary)
  const executor = await createModuleExecutor({ packagesDir: modulesDir, workers })
  const signal = new AbortController().signal
  const poolCall = () => executor.run({ module: 'summarize_text', input, signal, timeoutMs: 1_500 })
  try {
    const floorSeq = await sequential(() => floorCall(module))
    const poolSeq = await sequential(poolCall)
    const poolLoad = await loaded(poolCall, inFlight)
    const lines = [
      `summarize_text, ${stdin.byteLength}-byte input; ${workers} workers, ` +
        `${availableParallelism()} cores visible, Node ${process.version}, ` +
        `${durationMs / 1000} s per phase.`,
      '',
      '| run | calls/s | p50 µs | p99 µs | calls |',
      '| --- | ---: | ---: | ---: | ---: |',
      row('floor: bare instantiate + run, main thread, 1 at a time', floorSeq),
      row('pool: executor.run, 1 at a time', poolSeq),
      row(`pool: executor.run, ${inFlight} in flight`, poolLoad),
      '',
      `pool p50 / floor p50 (1 at a time): ${(poolSeq.p50Us / floorSeq.p50Us).toFixed(2)}x; ` +
        `pool calls/s (${inFlight} in flight) / floor calls/s: ` +
        `${(poolLoad.callsPerSec / floorSeq.callsPerSec).toFixed(2)}x`,
    ]
    console.log(lines.join('\n'))
  } finally {
    await executor.close()
  }
}

await main()
