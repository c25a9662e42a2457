/**
 * The gateway comparison, in one invocation on one machine, on each Node of
 * bench/node-runtimes.ts (the machine's and a current LTS, one after the
 * other, the same upstream and load generator for both):
 *   (a) direct to the test upstream (once: it does not depend on the Node
 *       under test), (b) the bare Fastify + undici pass-through, (b2) the
 *       pass-through that also writes the durable record OMERTAOS keeps of an
 *       api task, (b3) the same record written in the two commits OMERTAOS's
 *       task state machine makes (admission before the call, the rest after;
 *       bench/persisted-passthrough.ts), (c) OMERTAOS `POST /v1/tasks` with
 *       `Prefer: wait` on the api route (auth, rate limits set high, routing,
 *       the record), (d) the Portkey gateway (`npx @portkey-ai/gateway@1.15.2`);
 *   then tasks/s on the local summarize_text route next to its floor (the
 *   same module through the same pool, no gateway: bench/local-floor.ts),
 *   and memory.
 *
 *   npm run bench:gateway   (BENCH_DURATION_S=10, BENCH_NODES=both; writes the
 *                            results into BENCHMARKS.md and adds a line to its
 *                            table of runs)
 */
import { execFile } from 'node:child_process'
import { cpus } from 'node:os'
import { promisify } from 'node:util'
import { updateBenchmarks, withSection } from './benchmarks-doc.js'
import { fixedRate, type FixedRateFigures } from './fixed-rate.js'
import { benchNodes, machineNode, type NodeRuntime } from './node-runtimes.js'
import {
  chatBody,
  connections,
  load,
  omertaosApiTarget,
  omertaosLocalTarget,
  passThroughTarget,
  rssMb,
  startOmertaos,
  startPortkey,
  startScript,
  startUpstream,
  stop,
  stopAll,
  stopGroup,
  type Figures,
  type Started,
  type Target,
} from './targets.js'

const durationS = Number(process.env.BENCH_DURATION_S ?? 10)
/** The steady arrival rate of the added-latency columns (an open loop: bench/fixed-rate.ts). */
const steadyRate = 500

/** Issue 13's targets, against the floors of the same invocation. */
const targets = { ofPersistedFloor: 0.7, timesPortkey: 4, p99AddedOverFloorMs: 1 }

interface Row {
  readonly target: Target
  readonly max: Figures
  readonly fixed: FixedRateFigures
}

interface LocalFigures {
  readonly route: Figures
  readonly floor: { callsPerSec: number; p50Ms: number; p99Ms: number; errors: number } | string
}

interface NodeResult {
  readonly node: NodeRuntime
  readonly rows: Row[]
  readonly local: LocalFigures
  readonly memory: { rss: number; peak: number } | undefined
  readonly portkeyNote: string | undefined
}

async function measure(target: Target): Promise<Row> {
  await load(target, { seconds: 2 }) // warm-up: JIT, pools, SQLite pages
  const max = await load(target, { seconds: durationS })
  const fixed = await fixedRate(target, { rate: steadyRate, seconds: durationS, connections })
  process.stderr.write(`${target.name}: ${JSON.stringify({ max, fixed })}\n`)
  return { target, max, fixed }
}

async function localFloor(node: NodeRuntime): Promise<LocalFigures['floor']> {
  try {
    const { stdout } = await promisify(execFile)(
      node.execPath,
      ['--import', 'tsx', 'bench/local-floor.ts', String(durationS), String(connections)],
      { cwd: node.cwd, timeout: (durationS + 60) * 1000 },
    )
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as LocalFigures['floor']
  } catch (error) {
    return `the floor did not run: ${String(error).slice(0, 300)}`
  }
}

async function onNode(node: NodeRuntime, upstreamUrl: string, index: number): Promise<NodeResult> {
  process.stderr.write(`[bench] ${node.label}\n`)
  const started: Started[] = []
  const script = async (...args: string[]) => {
    const child = await startScript(node, args[0] as string, args.slice(1))
    started.push(child)
    return child
  }
  const bare = await script('bench/bare-passthrough.ts', upstreamUrl)
  const persisted = await script('bench/persisted-passthrough.ts', upstreamUrl)
  const twoPhase = await script('bench/persisted-passthrough.ts', upstreamUrl, 'two-phase')
  const omertaos = await startOmertaos(node, upstreamUrl)
  const portkey = await startPortkey(node, upstreamUrl, 8787 + index)
  const list: Target[] = [
    passThroughTarget('(b) bare Fastify + undici pass-through', bare),
    passThroughTarget('(b2) bare pass-through + the durable record of (c), in SQLite', persisted),
    passThroughTarget(
      '(b3) (b2) with the record in two commits, admission before the call',
      twoPhase,
    ),
    omertaosApiTarget(omertaos),
  ]
  if (typeof portkey !== 'string') list.push(portkey)
  const rows: Row[] = []
  for (const target of list) rows.push(await measure(target))
  // Only OMERTAOS and the pool floor run from here on.
  for (const { child } of started) stop(child)
  if (typeof portkey !== 'string') stopGroup(portkey.pid)
  const local = omertaosLocalTarget(omertaos)
  await load(local, { seconds: 2 })
  const route = await load(local, { seconds: durationS })
  const memory = rssMb(omertaos.pid)
  stop(omertaos.child)
  const floor = await localFloor(node)
  return {
    node,
    rows,
    local: { route, floor },
    memory,
    portkeyNote: typeof portkey === 'string' ? portkey : undefined,
  }
}

async function main(): Promise<void> {
  const nodes = benchNodes() // fetches and installs the LTS Node first, before anything is timed
  const upstreamUrl = await startUpstream(machineNode())
  const direct = await measure({
    name: '(a) direct to the upstream',
    url: new URL(upstreamUrl).origin,
    path: '/v1/chat/completions',
    headers: { authorization: 'Bearer bench' },
    body: chatBody,
  })
  const results: NodeResult[] = []
  for (const [index, node] of nodes.entries()) {
    results.push(await onNode(node, upstreamUrl, index))
  }
  writeResults(direct, results)
}

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en') : n.toFixed(2))

/** The figures a run is judged by, per Node. */
function verdict(direct: Row, result: NodeResult) {
  const byLabel = (label: string) =>
    result.rows.find((row) => row.target.name.startsWith(`${label} `))
  const ours = byLabel('(c)')
  const floor = byLabel('(b2)')
  const twoPhase = byLabel('(b3)')
  const portkey = byLabel('(d)')
  const added = (row: Row | undefined) => (row ? row.fixed.p99Ms - direct.fixed.p99Ms : Number.NaN)
  const ofFloor = ours && floor ? ours.max.reqPerSec / floor.max.reqPerSec : Number.NaN
  const timesPortkey = ours && portkey ? ours.max.reqPerSec / portkey.max.reqPerSec : Number.NaN
  const p99Over = added(ours) - added(floor)
  return {
    ours,
    floor,
    twoPhase,
    portkey,
    ofFloor,
    twoPhaseOfFloor: twoPhase && floor ? twoPhase.max.reqPerSec / floor.max.reqPerSec : Number.NaN,
    ofTwoPhase: ours && twoPhase ? ours.max.reqPerSec / twoPhase.max.reqPerSec : Number.NaN,
    timesPortkey,
    p99Over,
    met: {
      throughput: ofFloor >= targets.ofPersistedFloor,
      portkey: timesPortkey >= targets.timesPortkey,
      p99: p99Over <= targets.p99AddedOverFloorMs,
    },
  }
}

function nodeSection(direct: Row, result: NodeResult): string {
  const rows = [direct, ...result.rows]
  const table = rows
    .map(({ target, max, fixed }) => {
      const added = `${fmt(fixed.p50Ms - direct.fixed.p50Ms)} / ${fmt(fixed.p99Ms - direct.fixed.p99Ms)}`
      return `| ${target.name} | ${fmt(max.reqPerSec)} | ${fmt(max.p50Ms)} | ${fmt(max.p99Ms)} | ${max.errors + max.non2xx + fixed.errors} | ${fmt(fixed.p50Ms)} / ${fmt(fixed.p99Ms)} | ${added} |`
    })
    .join('\n')
  const v = verdict(direct, result)
  const yes = (met: boolean) => (met ? 'met' : 'not met')
  const { route, floor } = result.local
  const floorText =
    typeof floor === 'string'
      ? floor
      : `the same module through the same pool with no gateway ${fmt(floor.callsPerSec)} calls/s (p50 ${fmt(floor.p50Ms)} ms, p99 ${fmt(floor.p99Ms)} ms, ${floor.errors} errors): the route made ${(route.reqPerSec / floor.callsPerSec).toFixed(2)} of its floor`
  return `### ${result.node.label}

| target | req/s (max, ${connections} conns) | p50 ms | p99 ms | errors | p50 / p99 ms at a steady ${steadyRate} req/s | added over (a) at ${steadyRate} req/s, p50 / p99 ms |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${table}

- OMERTAOS / (b2), the persisted floor: **${v.ofFloor.toFixed(2)}** (target ≥ ${targets.ofPersistedFloor}: ${yes(v.met.throughput)}); OMERTAOS / (b3), the two-commit floor: ${v.ofTwoPhase.toFixed(2)}; (b3) / (b2): ${v.twoPhaseOfFloor.toFixed(2)}
- OMERTAOS / Portkey: **${v.timesPortkey.toFixed(2)}×** (target ≥ ${targets.timesPortkey}×: ${yes(v.met.portkey)})${result.portkeyNote ? ` — ${result.portkeyNote}` : ''}
- p99 added at ${steadyRate} req/s, OMERTAOS − (b2): **${v.p99Over.toFixed(2)} ms** (target ≤ ${targets.p99AddedOverFloorMs} ms: ${yes(v.met.p99)})
- Local route (summarize_text WASM module, \`Prefer: wait\`): ${fmt(route.reqPerSec)} tasks/s, p50 ${fmt(route.p50Ms)} ms, p99 ${fmt(route.p99Ms)} ms, ${route.errors + route.non2xx} errors; ${floorText}.
- OMERTAOS process memory after the runs: ${result.memory ? `RSS ${result.memory.rss} MiB, peak ${result.memory.peak} MiB` : 'not measured'}.
`
}

/** One line per Node for the table of runs, which keeps every run's headline figures. */
function runLine(direct: Row, result: NodeResult, when: string): string {
  const v = verdict(direct, result)
  const rate = (row: Row | undefined) => (row ? fmt(Math.round(row.max.reqPerSec)) : '–')
  const { route, floor } = result.local
  const local =
    typeof floor === 'string'
      ? `${fmt(Math.round(route.reqPerSec))} / –`
      : `${fmt(Math.round(route.reqPerSec))} / ${fmt(Math.round(floor.callsPerSec))}`
  const met = [v.met.throughput, v.met.portkey, v.met.p99].filter(Boolean).length
  return `| ${when} | ${result.node.label} | ${rate(v.floor)} | ${rate(v.twoPhase)} | ${rate(v.ours)} | ${rate(v.portkey)} | ${v.ofFloor.toFixed(2)} | ${v.ofTwoPhase.toFixed(2)} | ${v.timesPortkey.toFixed(2)}× | ${v.p99Over.toFixed(2)} | ${local} | ${met} of 3 |`
}

function writeResults(direct: Row, results: NodeResult[]): void {
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ')
  const section = `<!-- gateway-comparison:start -->
## Gateway comparison, the latest run (issues 3 and 13)

Command: \`npm run bench:gateway\` (bench/gateway-comparison.ts; ${durationS} s per run, ${connections} connections; the maximum with autocannon, the steady rate with the open-loop generator of bench/fixed-rate.ts, latency counted from when each request was due).
Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${when} UTC; the servers on each Node below in turn, the upstream and the load generator on Node ${process.versions.node}, all sharing the machine, in one invocation.

${results.map((result) => nodeSection(direct, result)).join('\n')}<!-- gateway-comparison:end -->`
  const lines = results.map((result) => runLine(direct, result, when)).join('\n')
  const runsEnd = '<!-- gateway-runs:end -->'
  updateBenchmarks((doc) => {
    const updated = withSection(doc, 'gateway-comparison', section)
    if (updated.includes(runsEnd)) return updated.replace(runsEnd, () => `${lines}\n${runsEnd}`)
    return updated.replace(
      '<!-- gateway-comparison:start -->',
      () => `<!-- gateway-runs:start -->
| run (UTC) | Node | (b2) req/s | (b3) req/s | (c) OMERTAOS req/s | (d) Portkey req/s | (c) / (b2) ≥ ${targets.ofPersistedFloor} | (c) / (b3) | (c) / (d) ≥ ${targets.timesPortkey}× | p99 added, (c) − (b2), ms ≤ ${targets.p99AddedOverFloorMs} | local route / pool floor, tasks/s | targets met |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :-: |
${lines}
${runsEnd}

<!-- gateway-comparison:start -->`,
    )
  })
  process.stdout.write(`${section}\n`)
}

try {
  await main()
} finally {
  stopAll()
}
// autocannon and the children's pipes keep handles open; the run is over.
process.exit(0)
