/**
 * Where each request's main-thread CPU goes, by stage, OMERTAOS's api-route
 * task (c) next to the persisted floor (b2) under the same closed-loop load
 * (issue 13: "so that every remaining µs has a name").
 *
 *   npm run bench:profile    (BENCH_DURATION_S=10 per window, BENCH_ROUNDS=2,
 *                             BENCH_NODES=machine|lts|both; writes BENCHMARKS.md)
 *
 * Each server runs with bench/profile-hook.mjs, which profiles its main thread
 * (V8's sampling CPU profiler, 100 µs) only while the load runs. A sample is
 * charged to the first frame, from the leaf up, that names a place: a file of
 * this repository (by folder: authentication, rate limiting, routing, the task
 * state machine, the store …), a package (Fastify, undici, better-sqlite3 …),
 * or Node's own JavaScript (http, net, streams, timers). V8's built-ins and
 * native calls (a statement's `run`, `JSON.stringify`) are charged to their
 * JavaScript caller, except JSON and compiled schema validators, which get
 * stages of their own. The garbage collector is its own stage.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { updateBenchmarks, withSection } from './benchmarks-doc.js'
import { benchNodes, machineNode, type NodeRuntime } from './node-runtimes.js'
import {
  load,
  omertaosApiTarget,
  passThroughTarget,
  startOmertaos,
  startScript,
  startUpstream,
  stop,
  stopAll,
  tempDir,
  type Target,
} from './targets.js'
import type { ChildProcess } from 'node:child_process'

const durationS = Number(process.env.BENCH_DURATION_S ?? 10)
const rounds = Number(process.env.BENCH_ROUNDS ?? 2)

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string }
  readonly children?: readonly number[]
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/** Folders of this repository, most specific first: the stage their code is. */
const projectStages: readonly (readonly [RegExp, string])[] = [
  [/\/src\/gateway\/auth\//, 'authentication (keys, JWT)'],
  [/\/src\/gateway\/rate-limit\//, 'rate limiting'],
  [/\/src\/gateway\/idempotency\//, 'idempotency'],
  [/\/src\/gateway\//, 'gateway: routes, body, envelope, wait'],
  [/\/src\/control\/router\//, 'routing (rules router)'],
  [/\/src\/control\/lifecycle\//, 'task state machine'],
  [/\/src\/control\/streams\//, 'stream bookkeeping'],
  [/\/src\/control\/(budget|keys|policy)\//, 'budgets, keys and policy'],
  [/\/src\/control\//, 'orchestration (submission, execution)'],
  [/\/src\/providers\//, 'provider adapter (OpenAI protocol)'],
  [/\/src\/storage\/|\/bench\/persisted-passthrough/, 'durable record: SQLite and its code'],
  [/\/src\/core\//, 'core (errors, contracts, ids, traceparent)'],
  [/\/src\/server\//, 'server composition'],
  [/\/bench\/pass-through-app/, 'pass-through handler'],
]

/** Packages, by the name under node_modules. */
const packageStages: Readonly<Record<string, string>> = {
  'better-sqlite3': 'durable record: SQLite and its code',
  kysely: 'durable record: SQLite and its code',
  undici: 'provider HTTP client (undici)',
  ajv: 'schema validation (Ajv)',
  'ajv-formats': 'schema validation (Ajv)',
}
/** Node's own JavaScript, by module. */
const nodeStages: readonly (readonly [RegExp, string])[] = [
  [/^node:internal\/process\/task_queues/, 'Node: promise jobs and ticks (await)'],
  [/^node:(_http_|http$|internal\/http)/, 'Node: http'],
  [/^node:(net|internal\/stream_base_commons|internal\/streams|stream)/, 'Node: net and streams'],
  [/^node:(timers|internal\/timers)/, 'Node: timers'],
  [/^node:(events|internal\/event_target|internal\/abort_controller)/, 'Node: events'],
]
const fastifyPackages =
  /^(fastify|@fastify\/.*|find-my-way|avvio|light-my-request|fast-json-stringify|secure-json-parse|fast-querystring|fast-content-type-parse|abstract-logging|pino|pino-std-serializers|process-warning|toad-cache|rfdc|fast-decode-uri-component|safe-regex2|ret|json-schema-ref-resolver|@fastify)$/

function stageOfFrame(frame: ProfileNode['callFrame']): string | undefined {
  const { url, functionName } = frame
  if (url === '') {
    if (functionName === '(garbage collector)') return 'garbage collector'
    if (functionName === '(program)') return 'V8 and native, unattributed'
    if (functionName === 'stringify' || functionName === 'parse') return 'JSON encode and decode'
    if (/^validate\d*$/.test(functionName)) return 'schema validation (Ajv)'
    return undefined // a built-in or native call: its caller's stage
  }
  const nodeModule = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1]
  if (nodeModule) {
    if (packageStages[nodeModule]) return packageStages[nodeModule]
    if (fastifyPackages.test(nodeModule)) return 'HTTP framework (Fastify)'
    return `package ${nodeModule}`
  }
  if (url.startsWith('node:')) {
    for (const [pattern, stage] of nodeStages) if (pattern.test(url)) return stage
    return 'Node core, other'
  }
  for (const [pattern, stage] of projectStages) if (pattern.test(url)) return stage
  return undefined
}

/** Main-thread µs by stage, idle excluded. */
function stagesOf(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id)
  const memo = new Map<number, string>()
  const stageOf = (id: number): string => {
    const known = memo.get(id)
    if (known) return known
    let stage: string | undefined
    for (let at: number | undefined = id; at !== undefined && !stage; at = parent.get(at)) {
      const node = byId.get(at)
      if (node) stage = stageOfFrame(node.callFrame)
    }
    const found = stage ?? 'V8 and native, unattributed'
    memo.set(id, found)
    return found
  }
  const totals = new Map<string, number>()
  const { samples, timeDeltas } = profile
  // Every sample weighs the median interval between samples: a thread the
  // machine took off its core is not sampled meanwhile, so the gap before its
  // next sample is time it did not run, not time of the code it then ran.
  const sorted = [...timeDeltas].sort((a, b) => a - b)
  const us = sorted[Math.floor(sorted.length / 2)] ?? 0
  for (const sample of samples) {
    const node = byId.get(sample)
    if (!node || node.callFrame.functionName === '(idle)') continue
    const stage = stageOf(node.id)
    totals.set(stage, (totals.get(stage) ?? 0) + us)
  }
  return totals
}

/** Sends one request to the profile hook and waits for its answer. */
interface Collections {
  minor: number
  minorMs: number
  other: number
  otherMs: number
}

interface HookReply {
  readonly profile?: string
  readonly cpuUs?: number
  readonly gc?: Collections
}

function ask(child: ChildProcess, message: object, answer: string): Promise<HookReply> {
  return new Promise((resolve) => {
    const onMessage = (reply: HookReply) => {
      if (reply?.profile !== answer) return
      child.off('message', onMessage)
      resolve(reply)
    }
    child.on('message', onMessage)
    child.send(message)
  })
}

interface Tally {
  requests: number
  seconds: number
  processCpuUs: number
  readonly gc: Collections
  readonly stages: Map<string, number>
}

async function profileWindow(target: Target, child: ChildProcess, tally: Tally, file: string) {
  await load(target, { seconds: 3 }) // warm-up: JIT, pools, SQLite pages
  await ask(child, { profile: 'start', intervalUs: 100 }, 'started')
  const figures = await load(target, { seconds: durationS })
  const { cpuUs, gc } = await ask(child, { profile: 'stop', file }, 'stopped')
  const stages = stagesOf(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)
  tally.requests += figures.requests
  tally.seconds += durationS
  tally.processCpuUs += cpuUs ?? 0
  for (const key of ['minor', 'minorMs', 'other', 'otherMs'] as const)
    tally.gc[key] += gc?.[key] ?? 0
  for (const [stage, us] of stages) tally.stages.set(stage, (tally.stages.get(stage) ?? 0) + us)
  process.stderr.write(
    `${target.name}: ${figures.reqPerSec} req/s, ${figures.errors + figures.non2xx} errors\n`,
  )
}

async function profileOn(node: NodeRuntime, upstreamUrl: string): Promise<string> {
  const hook = ['--import', pathToFileURL(join(node.cwd, 'bench/profile-hook.mjs')).href]
  const persisted = await startScript(node, 'bench/persisted-passthrough.ts', [upstreamUrl], {
    nodeArgs: hook,
    ipc: true,
  })
  const omertaos = await startOmertaos(node, upstreamUrl, { nodeArgs: hook, ipc: true })
  const floor = passThroughTarget('(b2) persisted floor', persisted)
  const ours = omertaosApiTarget(omertaos)
  // BENCH_PROFILE_DIR keeps the .cpuprofile files (Chrome DevTools opens them).
  const dir = process.env.BENCH_PROFILE_DIR ?? tempDir('aion-bench-profile-')
  const tallies = [floor, ours].map(() => ({
    requests: 0,
    seconds: 0,
    processCpuUs: 0,
    gc: { minor: 0, minorMs: 0, other: 0, otherMs: 0 },
    stages: new Map<string, number>(),
  }))
  for (let round = 0; round < rounds; round++) {
    await profileWindow(
      floor,
      persisted.child,
      tallies[0] as Tally,
      join(dir, `b2-${round}.cpuprofile`),
    )
    await profileWindow(
      ours,
      omertaos.child,
      tallies[1] as Tally,
      join(dir, `c-${round}.cpuprofile`),
    )
  }
  stop(persisted.child)
  stop(omertaos.child)
  return table(node, tallies as [Tally, Tally])
}

/** Scavenges and other collections per 1,000 requests, with their mean pause. */
function collections(tally: Tally): string {
  const per1000 = (n: number) => ((n / tally.requests) * 1000).toFixed(2)
  const mean = (ms: number, n: number) => (n === 0 ? '–' : (ms / n).toFixed(2))
  const { minor, minorMs, other, otherMs } = tally.gc
  return `${per1000(minor)} scavenges per 1,000 requests (mean pause ${mean(minorMs, minor)} ms), ${per1000(other)} other collections (mean ${mean(otherMs, other)} ms)`
}

function table(node: NodeRuntime, [floor, ours]: [Tally, Tally]): string {
  const perRequest = (tally: Tally, us: number) => us / tally.requests
  const stages = new Set([...floor.stages.keys(), ...ours.stages.keys()])
  const rows = [...stages]
    .map((stage) => ({
      stage,
      floor: perRequest(floor, floor.stages.get(stage) ?? 0),
      ours: perRequest(ours, ours.stages.get(stage) ?? 0),
    }))
    .sort((a, b) => b.ours - b.floor - (a.ours - a.floor))
  const sum = (tally: Tally) => [...tally.stages.values()].reduce((a, b) => a + b, 0)
  const fmt = (n: number) => n.toFixed(1)
  const lines = rows.map(
    (row) =>
      `| ${row.stage} | ${fmt(row.floor)} | ${fmt(row.ours)} | ${fmt(row.ours - row.floor)} |`,
  )
  const floorMain = perRequest(floor, sum(floor))
  const oursMain = perRequest(ours, sum(ours))
  return `### ${node.label}

Requests profiled: (b2) ${floor.requests.toLocaleString('en')} in ${floor.seconds} s (${Math.round(floor.requests / floor.seconds)} req/s), (c) ${ours.requests.toLocaleString('en')} in ${ours.seconds} s (${Math.round(ours.requests / ours.seconds)} req/s).

| stage | (b2) µs / request | (c) µs / request | (c) − (b2) |
| --- | ---: | ---: | ---: |
${lines.join('\n')}
| **main thread, total** | **${fmt(floorMain)}** | **${fmt(oursMain)}** | **${fmt(oursMain - floorMain)}** |
| process CPU, every thread | ${fmt(perRequest(floor, floor.processCpuUs))} | ${fmt(perRequest(ours, ours.processCpuUs))} | ${fmt(perRequest(ours, ours.processCpuUs) - perRequest(floor, floor.processCpuUs))} |

Collections over the windows (the process's \`gc\` performance entries): (b2) ${collections(floor)}; (c) ${collections(ours)}.
`
}

async function main(): Promise<void> {
  const upstreamUrl = await startUpstream(machineNode())
  const sections: string[] = []
  for (const node of benchNodes()) sections.push(await profileOn(node, upstreamUrl))
  const section = `<!-- stage-profile:start -->
## Where a request's CPU goes, by stage (issue 13)

Command: \`npm run bench:profile\` (bench/profile-stages.ts; ${rounds} alternating windows of ${durationS} s per server, 50 connections, after a 3 s warm-up; V8's CPU profiler on the server's main thread, sampling every 100 µs, only during the windows; each sample counts as the median interval between samples). Machine: the shared 2-core VM, ${new Date().toISOString().slice(0, 10)}; the upstream and the load generator share it. (b2) is the persisted floor of the gateway comparison, (c) OMERTAOS's api-route task with \`Prefer: wait\`. Rows sorted by what (c) spends beyond (b2).

${sections.join('\n')}<!-- stage-profile:end -->`
  updateBenchmarks((doc) => withSection(doc, 'stage-profile', section))
  process.stdout.write(`${section}\n`)
}

try {
  await main()
} finally {
  stopAll()
}
process.exit(0)
