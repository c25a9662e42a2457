/**
 * The floor of the gateway comparison's local route: the summarize_text call
 * of that route run through the same module executor the server starts
 * (createPackagesExecutor over the same packages, settings from the same
 * environment: the same worker pool, input and output validation), with no
 * gateway, no task and no record — `connections` calls kept in flight, as the
 * load generator keeps that many requests in flight against the server.
 *
 *   tsx bench/local-floor.ts <seconds> <in flight>   prints {"callsPerSec":…,…} on stdout
 */
import { AddressGuard } from '../src/core/egress/index.js'
import { loadSettings } from '../src/core/settings/index.js'
import { createPackagesExecutor } from '../src/distribution/aip/index.js'
import { GpuAllocator } from '../src/runtime/index.js'
import { localSummarizeInput } from './targets.js'

const seconds = Number(process.argv[2] ?? 10)
const inFlight = Number(process.argv[3] ?? 50)

const settings = loadSettings(process.env)
const executor = await createPackagesExecutor(settings, settings.modules.packagesDir, {
  guard: AddressGuard.of(settings.egress),
  gpus: await GpuAllocator.create(),
  logger: { info: () => undefined, warn: () => undefined },
})

const latencies: number[] = []
let errors = 0

async function lane(until: number): Promise<void> {
  while (performance.now() < until) {
    const started = performance.now()
    try {
      await executor.run({
        module: 'summarize_text',
        input: localSummarizeInput,
        signal: new AbortController().signal,
        timeoutMs: 10_000,
      })
      latencies.push(performance.now() - started)
    } catch {
      errors++
    }
  }
}

async function run(ms: number): Promise<void> {
  const until = performance.now() + ms
  await Promise.all(Array.from({ length: inFlight }, () => lane(until)))
}

await run(2_000) // warm-up, as the server's route gets
latencies.length = 0
errors = 0
const started = performance.now()
await run(seconds * 1000)
const elapsedMs = performance.now() - started
const sorted = latencies.sort((a, b) => a - b)
const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
process.stdout.write(
  `${JSON.stringify({
    callsPerSec: (sorted.length / elapsedMs) * 1000,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors,
  })}\n`,
)
await executor.close()
process.exit(0)
