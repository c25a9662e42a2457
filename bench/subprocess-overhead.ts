/**
 * What the sandbox costs per call: the echo module (a POSIX sh script,
 * test/fixtures/modules/subprocess/echo) through the subprocess executor —
 * schema checks, per-call cgroup, prlimit, bubblewrap as the unprivileged user,
 * spawned from the spawner thread — next to a plain `child_process.spawn` of the
 * same script in the same process (the floor: JSON in on stdin, JSON out).
 *
 *   npm run bench:subprocess   (BENCH_CALLS=200 per mode, BENCH_ROUNDS=4)
 *
 * One call at a time, the modes in interleaved rounds so a busy machine disturbs
 * both alike. Prints a markdown table of p50/p99 latency and calls/s.
 */
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createSubprocessExecutor } from '../src/runtime/subprocess/subprocess-executor.js'
import { loadPackages } from '../src/distribution/aip/index.js'

const callsPerRound = Number(process.env.BENCH_CALLS ?? 200) / Number(process.env.BENCH_ROUNDS ?? 4)
const rounds = Number(process.env.BENCH_ROUNDS ?? 4)
const packagesDir = resolve('test/fixtures/modules/subprocess')
const script = resolve(packagesDir, 'echo/run')
const input = { text: 'The sandbox costs this much per call.' }

/** The floor: spawn the script, write the input, parse the output. */
function plainSpawn(): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(script, [], { stdio: ['pipe', 'pipe', 'ignore'] })
    const chunks: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.on('error', fail)
    child.on('close', (code) => {
      if (code !== 0) return fail(new Error(`exit ${code}`))
      JSON.parse(Buffer.concat(chunks).toString('utf8'))
      done()
    })
    child.stdin.end(JSON.stringify(input))
  })
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

const executor = await createSubprocessExecutor({
  packages: await loadPackages(packagesDir, { runtimes: ['subprocess'] }),
})
const sandbox = executor.sandbox()
if (!sandbox.available) {
  console.error(`the sandbox is unavailable here: ${sandbox.reason}`)
  process.exit(1)
}
const sandboxed = async () => {
  await executor.run({
    module: 'echo',
    input,
    signal: new AbortController().signal,
    timeoutMs: 10_000,
  })
}

const modes = { 'plain spawn (floor)': plainSpawn, 'subprocess executor (sandboxed)': sandboxed }
const samples = new Map<string, number[]>(Object.keys(modes).map((name) => [name, []]))
for (const run of Object.values(modes)) await run() // warm up
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of Object.entries(modes)) {
    for (let i = 0; i < callsPerRound; i++) {
      const started = performance.now()
      await run()
      samples.get(name)?.push(performance.now() - started)
    }
  }
}
await executor.close()

console.log(`cgroup v${sandbox.cgroup.version}, ${rounds} rounds, one call at a time\n`)
console.log('| mode | calls | p50 ms | p99 ms | calls/s |')
console.log('| --- | ---: | ---: | ---: | ---: |')
const floor = percentile(
  [...(samples.get('plain spawn (floor)') ?? [])].sort((a, b) => a - b),
  50,
)
for (const [name, values] of samples) {
  const sorted = [...values].sort((a, b) => a - b)
  const total = values.reduce((sum, v) => sum + v, 0)
  const p50 = percentile(sorted, 50)
  console.log(
    `| ${name} | ${values.length} | ${p50.toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} | ${((values.length / total) * 1000).toFixed(0)} |`,
  )
  if (name !== 'plain spawn (floor)')
    console.log(`\nsandbox overhead at p50: ${(p50 - floor).toFixed(2)} ms per call`)
}
