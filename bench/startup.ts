/**
 * `npm run bench:startup`: how long a user waits, against the floor of the
 * same machine in the same run.
 *
 *   floor      `node -e` printing a line (Node's own start)
 *   npm floor  `npm run env` (npm's own start, no script of ours)
 *   --help     `node bin/aionctl.js --help` (build current)         target ≤ 300 ms
 *   warm start `npm start` until GET /healthz answers 200            target ≤ 2 s
 *              (build current, data directory from an earlier start)
 *   fresh      a fresh clone of HEAD with node_modules in place (as after
 *              `npm ci`): `npm start` until /healthz answers 200,
 *              building dist/ and the AssemblyScript modules first     target ≤ 60 s
 *
 * Each quick figure is the median of `--runs` (default 10; warm starts 5).
 * `--skip-fresh` leaves out the fresh clone (about a minute).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'

const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1]) || 10
const skipFresh = args.includes('--skip-fresh')
const root = resolve(import.meta.dirname, '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Wall time of a command that runs to its end, in ms; throws when it fails. */
function timeCommand(command: string, commandArgs: string[], cwd = root): number {
  const started = performance.now()
  const result = spawnSync(command, commandArgs, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const elapsed = performance.now() - started
  if (result.status !== 0) {
    throw new Error(`${command} ${commandArgs.join(' ')} failed: ${String(result.stderr)}`)
  }
  return elapsed
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}

/**
 * Runs `npm start` in `cwd` and returns the ms until GET /healthz answered 200,
 * then stops it (SIGTERM to its process group) and waits for it to end.
 */
async function timeStart(
  cwd: string,
  dataDir: string,
  onOutput?: (line: string) => void,
): Promise<number> {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(npm, ['start'], {
    cwd,
    detached: true,
    env: {
      ...process.env,
      AION_HOST: '127.0.0.1',
      AION_PORT: String(port),
      AION_DATA_DIR: dataDir,
      AION_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    if (onOutput) for (const line of chunk.toString().split('\n')) if (line) onOutput(line)
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  let ready: number | undefined
  while (ready === undefined) {
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`)
    if (performance.now() - started > 300_000) throw new Error(`not ready in 300 s:\n${output}`)
    const answer = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined)
    if (answer?.status === 200) ready = performance.now() - started
    else await sleep(10)
  }
  process.kill(-child.pid!, 'SIGTERM')
  await exited
  return ready
}

interface Row {
  readonly what: string
  readonly ms: number
  readonly target?: number
}

const rows: Row[] = []
const report = (row: Row) => {
  rows.push(row)
  console.error(`  ${row.what}: ${row.ms.toFixed(0)} ms`)
}

console.error(`bench:startup on ${cpus().length} CPU(s), node ${process.version}, ${runs} runs`)
// The build current and warm in the page cache before anything is timed.
timeCommand(process.execPath, ['scripts/build.mjs'])
timeCommand(process.execPath, ['bin/aionctl.js', '--help'])

const times = (n: number, measure: () => number) => Array.from({ length: n }, measure)
report({
  what: 'floor: node -e printing a line',
  ms: median(times(runs, () => timeCommand(process.execPath, ['-e', 'console.log("ready")']))),
})
report({
  what: "npm floor: npm run env (npm's own start)",
  ms: median(times(Math.min(runs, 5), () => timeCommand(npm, ['run', '--silent', 'env']))),
})
report({
  what: 'aionctl --help',
  ms: median(times(runs, () => timeCommand(process.execPath, ['bin/aionctl.js', '--help']))),
  target: 300,
})

const dataDir = mkdtempSync(join(tmpdir(), 'aion-bench-startup-'))
try {
  await timeStart(root, dataDir) // the first start makes the store; not timed
  const warm: number[] = []
  for (let i = 0; i < Math.min(runs, 5); i += 1) warm.push(await timeStart(root, dataDir))
  report({ what: 'warm npm start → /healthz 200', ms: median(warm), target: 2000 })
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}

if (!skipFresh) {
  const clone = mkdtempSync(join(tmpdir(), 'aion-bench-clone-'))
  try {
    const checkout = join(clone, 'omertaos')
    spawnSync('git', ['clone', '--quiet', '--no-hardlinks', root, checkout], { stdio: 'inherit' })
    // As after `npm ci`: the installed packages, none of this repository's build output.
    symlinkSync(join(root, 'node_modules'), join(checkout, 'node_modules'))
    if (existsSync(join(checkout, 'dist'))) throw new Error('a fresh clone has no dist/')
    console.error('  fresh clone: npm start (its progress lines follow)')
    const ms = await timeStart(checkout, join(checkout, '.aion'), (line) => {
      if (line.startsWith('[build]')) console.error(`    ${line}`)
    })
    report({ what: 'fresh clone: npm start → /healthz 200', ms, target: 60_000 })
  } finally {
    rmSync(clone, { recursive: true, force: true })
  }
}

const floor = rows[0]!.ms
console.log('')
console.log('| what | median ms | × floor | target | met |')
console.log('| --- | ---: | ---: | ---: | :---: |')
for (const row of rows) {
  const target = row.target === undefined ? '' : `≤ ${row.target}`
  const met = row.target === undefined ? '' : row.ms <= row.target ? 'yes' : 'NO'
  console.log(
    `| ${row.what} | ${row.ms.toFixed(0)} | ${(row.ms / floor).toFixed(1)} | ${target} | ${met} |`,
  )
}
