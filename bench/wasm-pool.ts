/**
 * summarize_text on a 2 KB input through the executor's warm worker pool, next to
 * the floor: a bare `WebAssembly.instantiate` + run of the same compiled module on
 * the main thread (fresh WASI shim and instance per call, nothing else).
 *
 *   npm run bench:wasm      (BENCH_DURATION_S=10 per mode, BENCH_ROUNDS=10, BENCH_WORKERS=2)
 *
 * Prints a markdown table: latency p50/p99 of one call at a time, and calls/s with
 * enough calls in flight to keep every worker busy (2 workers: the 2-core target),
 * plus process CPU time per call (all threads), which a busy machine disturbs less
 * than wall time. The modes run in short interleaved rounds for the same reason.
 */
import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim'
import { ensureSummarizeTextBuilt, modulesDir } from '../src/runtime/test-packages.fixture.js'
import { wasm, type WasmModule } from '../src/runtime/wasm/wasm-api.js'
import { createModuleExecutor } from '../src/runtime/wasm/wasm-module-executor.js'
import { loadPackages } from '../src/distribution/aip/index.js'

const durationMs = Number(process.env.BENCH_DURATION_S ?? 10) * 1000
const workers = Number(process.env.BENCH_WORKERS ?? 2)
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 8)
const rounds = Number(process.env.BENCH_ROUNDS ?? 10)

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
  /** Process CPU time (every thread) per call. */
  readonly cpuUsPerCall: number
}

/** Latencies and time spent in one mode, summed over its rounds. */
class Tally {
  readonly latenciesMs: number[] = []
  elapsedMs = 0
  cpuUs = 0

  figures(): Figures {
    const sorted = [...this.latenciesMs].sort((a, b) => a - b)
    const at = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
    return {
      calls: sorted.length,
      callsPerSec: (sorted.length / this.elapsedMs) * 1000,
      p50Us: at(0.5) * 1000,
      p99Us: at(0.99) * 1000,
      cpuUsPerCall: this.cpuUs / sorted.length,
    }
  }
}

/** Keeps `concurrency` calls in flight for `roundMs`, adding to `tally`. */
async function round(
  tally: Tally,
  call: () => Promise<unknown>,
  concurrency: number,
  roundMs: number,
): Promise<void> {
  const cpuBefore = process.cpuUsage()
  const startedAt = performance.now()
  const lane = async (): Promise<void> => {
    while (performance.now() - startedAt < roundMs) {
      const t0 = performance.now()
      await call()
      tally.latenciesMs.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  tally.elapsedMs += performance.now() - startedAt
  const cpu = process.cpuUsage(cpuBefore)
  tally.cpuUs += cpu.user + cpu.system
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
  const cells = [rate, f.p50Us.toFixed(0), f.p99Us.toFixed(0), f.cpuUsPerCall.toFixed(0), f.calls]
  return `| ${name} | ${cells.join(' | ')} |`
}

async function main(): Promise<void> {
  await ensureSummarizeTextBuilt()
  const binary = await readFile(join(modulesDir, 'summarize_text', 'build', 'summarize_text.wasm'))
  const module = await wasm.compile(binary)
  const executor = await createModuleExecutor({ packages: await loadPackages(modulesDir), workers })
  const signal = new AbortController().signal
  const poolCall = () => executor.run({ module: 'summarize_text', input, signal, timeoutMs: 1_500 })
  const floorCall1 = () => floorCall(module)
  const modes = [
    { name: 'floor: bare instantiate + run, main thread, 1 at a time', call: floorCall1, lanes: 1 },
    { name: 'pool: executor.run, 1 at a time', call: poolCall, lanes: 1 },
    { name: `pool: executor.run, ${inFlight} in flight`, call: poolCall, lanes: inFlight },
  ]
  const tallies = modes.map(() => new Tally())
  try {
    // Warm-up: JIT, wasm tier-up, the pool's workers.
    for (const mode of modes) await round(new Tally(), mode.call, mode.lanes, 500)
    // Short interleaved rounds, so a noisy neighbour hurts every mode alike.
    for (let r = 0; r < rounds; r++) {
      for (const [i, mode] of modes.entries()) {
        await round(tallies[i] as Tally, mode.call, mode.lanes, durationMs / rounds)
      }
    }
    const [floorSeq, poolSeq, poolLoad] = tallies.map((t) => t.figures()) as [
      Figures,
      Figures,
      Figures,
    ]
    const lines = [
      `summarize_text, ${stdin.byteLength}-byte input; ${workers} workers, ` +
        `${availableParallelism()} cores visible, Node ${process.version}; ` +
        `${rounds} interleaved rounds, ${durationMs / 1000} s per mode.`,
      '',
      '| run | calls/s | p50 µs | p99 µs | CPU µs/call | calls |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...modes.map((mode, i) => row(mode.name, [floorSeq, poolSeq, poolLoad][i] as Figures)),
      '',
      `pool/floor, 1 at a time: p50 ${(poolSeq.p50Us / floorSeq.p50Us).toFixed(2)}x, ` +
        `CPU per call ${(poolSeq.cpuUsPerCall / floorSeq.cpuUsPerCall).toFixed(2)}x; ` +
        `${inFlight} in flight: CPU per call ${(poolLoad.cpuUsPerCall / floorSeq.cpuUsPerCall).toFixed(2)}x, ` +
        `calls/s ${(poolLoad.callsPerSec / floorSeq.callsPerSec).toFixed(2)}x the floor's.`,
    ]
    console.log(lines.join('\n'))
  } finally {
    await executor.close()
  }
}

await main()
