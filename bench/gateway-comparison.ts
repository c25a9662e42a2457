/**
 * Issue 3's four-way comparison, in one run on one machine:
 *   (a) direct to the test upstream, (b) bare Fastify + undici pass-through,
 *   (c) OMERTAOS `POST /v1/tasks` with `Prefer: wait` on the api route (auth,
 *   rate limits set high, routing, persisted usage and events all on),
 *   (d) the Portkey gateway (`npx @portkey-ai/gateway@1.15.2`);
 *   and a second floor, (b2): the bare pass-through that also writes the
 *   durable record OMERTAOS keeps of an api task (bench/persisted-passthrough.ts).
 * Then tasks/s on the local summarize_text route, and memory.
 *
 *   npm run bench:gateway            (writes the results into BENCHMARKS.md)
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { serverArgs } from '../src/server/server-command.js'
import { fixedRate, type FixedRateFigures } from './fixed-rate.js'

const durationS = Number(process.env.BENCH_DURATION_S ?? 10)
const connections = 50
/** The steady arrival rate of the added-latency columns (an open loop: bench/fixed-rate.ts). */
const steadyRate = 500
const children: ChildProcess[] = []
const tempDirs: string[] = []

interface Target {
  readonly name: string
  readonly url: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly pid?: number
}

interface Figures {
  readonly reqPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly errors: number
  readonly non2xx: number
}

const chatBody = JSON.stringify({
  model: 'gpt-4.1-mini',
  messages: [{ role: 'user', content: 'Say hello to the benchmark.' }],
})

function startChild(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; lines: string[] }> {
  // Its own process group, so the cleanup also ends what npx starts under it.
  const child = spawn(args[0] as string, args.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  children.push(child)
  const lines: string[] = []
  let buffer = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start`)), 120_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      if (process.env.BENCH_DEBUG) process.stderr.write(`[${args.at(-1)}] ${chunk.toString()}`)
      buffer += chunk.toString()
      const parts = buffer.split('\n')
      buffer = parts.pop() ?? ''
      lines.push(...parts)
      if (
        parts.some(
          (line) =>
            line.includes('"url"') || /is up at|listening|Server is running|ready/i.test(line),
        )
      ) {
        clearTimeout(timer)
        resolve({ child, lines })
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      if (process.env.BENCH_DEBUG) process.stderr.write(chunk)
      if (/Server is running/i.test(chunk.toString())) {
        clearTimeout(timer)
        resolve({ child, lines })
      }
    })
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)))
  })
}

/** One of this folder's TypeScript scripts, in its own process. */
function startScript(script: string, ...args: string[]) {
  return startChild([process.execPath, '--import', 'tsx', script, ...args])
}

function urlFrom(lines: string[]): string {
  for (const line of lines) {
    try {
      const parsed = JSON.parse(line) as { url?: string }
      if (parsed.url) return parsed.url
    } catch {
      // not JSON
    }
  }
  throw new Error(`no url in ${lines.join('\n')}`)
}

async function load(target: Target, options: { seconds: number }): Promise<Figures> {
  const result = await autocannon({
    url: `${target.url}${target.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: target.body,
    connections,
    duration: options.seconds,
  })
  return {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

function rssMb(pid: number | undefined): { rss: number; peak: number } | undefined {
  if (!pid) return undefined
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
    return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) }
  } catch {
    return undefined
  }
}

async function startOmertaos(
  upstreamUrl: string,
): Promise<{ url: string; key: string; pid: number }> {
  const configDir = mkdtempSync(join(tmpdir(), 'aion-bench-config-'))
  const dataDir = mkdtempSync(join(tmpdir(), 'aion-bench-data-'))
  tempDirs.push(configDir, dataDir)
  cpSync('config', configDir, { recursive: true })
  // Rate limits set high so the benchmark measures the path, not the limiter's refusals.
  const policies = readFileSync(join(configDir, 'policies.yml'), 'utf8').replace(
    /\nrate_limits:[\s\S]*?(?=\n\S|$)/,
    '',
  )
  writeFileSync(
    join(configDir, 'policies.yml'),
    `${policies}\nrate_limits:\n  per_credential_per_min: 10000000\n  burst: 10000000\n  per_ip_per_min: 10000000\n`,
  )
  const { child, lines } = await startChild([process.execPath, ...serverArgs()], {
    AION_PORT: '0',
    AION_DATA_DIR: dataDir,
    AION_CONFIG_DIR: configDir,
    AION_LOG_LEVEL: 'warn',
    AION_OPENAI_API_KEY: 'bench',
    AION_OPENAI_BASE_URL: upstreamUrl,
  })
  await new Promise((resolve) => setTimeout(resolve, 500))
  const text = lines.join('\n')
  const key = /(aion_[A-Za-z0-9]+_[A-Za-z0-9-]+)/.exec(text)?.[1]
  if (!key) throw new Error(`no development key printed:\n${text}`)
  const url = /OMERTAOS is up at (\S+)/.exec(text)?.[1]
  if (!url) throw new Error(`no URL printed:\n${text}`)
  return { url, key, pid: child.pid as number }
}

async function startPortkey(): Promise<Target | string> {
  try {
    const { child } = await startChild([
      'npx',
      '-y',
      '@portkey-ai/gateway@1.15.2',
      '--port=8787',
      '--headless',
    ])
    return {
      name: '(d) Portkey gateway 1.15.2',
      url: 'http://127.0.0.1:8787',
      path: '/v1/chat/completions',
      headers: {},
      body: chatBody,
      pid: child.pid as number,
    }
  } catch (error) {
    return `Portkey unavailable: ${String(error)}`
  }
}

async function main(): Promise<void> {
  const upstream = await startScript('bench/upstream-server.ts')
  const upstreamUrl = urlFrom(upstream.lines)
  const bare = await startScript('bench/bare-passthrough.ts', upstreamUrl)
  const persisted = await startScript('bench/persisted-passthrough.ts', upstreamUrl)
  const omertaos = await startOmertaos(upstreamUrl)
  const portkey = await startPortkey()

  const targets: Target[] = [
    {
      name: '(a) direct to the upstream',
      url: new URL(upstreamUrl).origin,
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer bench' },
      body: chatBody,
    },
    {
      name: '(b) bare Fastify + undici pass-through',
      url: urlFrom(bare.lines),
      path: '/v1/chat/completions',
      headers: {},
      body: chatBody,
    },
    {
      name: '(b2) bare pass-through + the durable record of (c), in SQLite',
      url: urlFrom(persisted.lines),
      path: '/v1/chat/completions',
      headers: {},
      body: chatBody,
    },
    {
      name: '(c) OMERTAOS POST /v1/tasks (api route, Prefer: wait)',
      url: omertaos.url,
      path: '/v1/tasks',
      headers: { authorization: `Bearer ${omertaos.key}`, prefer: 'wait=10' },
      body: JSON.stringify({
        intent: 'answer',
        route: 'api',
        input: { question: 'Say hello to the benchmark.' },
      }),
      pid: omertaos.pid,
    },
  ]
  if (typeof portkey !== 'string') {
    portkey.headers['x-portkey-provider'] = 'openai'
    portkey.headers['x-portkey-custom-host'] = upstreamUrl
    portkey.headers.authorization = 'Bearer bench'
    targets.push(portkey)
  }

  const rows: { target: Target; max: Figures; fixed: FixedRateFigures }[] = []
  for (const target of targets) {
    await load(target, { seconds: 2 }) // warm-up: JIT, pools, SQLite pages
    const max = await load(target, { seconds: durationS })
    const fixed = await fixedRate(target, { rate: steadyRate, seconds: durationS, connections })
    rows.push({ target, max, fixed })
    process.stderr.write(`${target.name}: ${JSON.stringify({ max, fixed })}\n`)
  }

  const local: Target = {
    name: 'OMERTAOS local summarize_text',
    url: omertaos.url,
    path: '/v1/tasks',
    headers: { authorization: `Bearer ${omertaos.key}`, prefer: 'wait=10' },
    body: JSON.stringify({
      intent: 'summarize',
      route: 'local',
      input: {
        text: 'OMERTAOS routes AI tasks. It enforces privacy and budgets. Dr. Smith measured 3.5 ms at p50. The module runs in a sandbox. Results stream back to the client.',
        max_sentences: 2,
      },
    }),
  }
  await load(local, { seconds: 2 })
  const localFigures = await load(local, { seconds: durationS })
  const memory = rssMb(omertaos.pid)
  writeResults(rows, localFigures, memory, typeof portkey === 'string' ? portkey : undefined)
}

function writeResults(
  rows: { target: Target; max: Figures; fixed: FixedRateFigures }[],
  local: Figures,
  memory: { rss: number; peak: number } | undefined,
  portkeyNote: string | undefined,
): void {
  const direct = rows[0]?.fixed
  const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2))
  const table = rows
    .map(({ target, max, fixed }) => {
      const added = direct
        ? `${fmt(fixed.p50Ms - direct.p50Ms)} / ${fmt(fixed.p99Ms - direct.p99Ms)}`
        : '-'
      return `| ${target.name} | ${fmt(max.reqPerSec)} | ${fmt(max.p50Ms)} | ${fmt(max.p99Ms)} | ${max.errors + max.non2xx + fixed.errors} | ${fmt(fixed.p50Ms)} / ${fmt(fixed.p99Ms)} | ${added} |`
    })
    .join('\n')
  // A target's name starts with its label and a space: '(b) …' is not '(b2) …'.
  const byName = (label: string) =>
    rows.find((row) => row.target.name.startsWith(`${label} `))?.max.reqPerSec
  const ours = byName('(c)')
  const bare = byName('(b)')
  const persisted = byName('(b2)')
  const portkey = byName('(d)')
  const ratios = [
    ours && bare
      ? `OMERTAOS / bare pass-through: ${(ours / bare).toFixed(2)} (target ≥ 0.60)`
      : undefined,
    persisted && bare
      ? `Bare pass-through with the durable record / without: ${(persisted / bare).toFixed(2)} (what the record alone costs a Node gateway on this machine)`
      : undefined,
    ours && persisted
      ? `OMERTAOS / bare pass-through with the durable record: ${(ours / persisted).toFixed(2)}`
      : undefined,
    ours && portkey
      ? `OMERTAOS / Portkey: ${(ours / portkey).toFixed(2)}× (target ≥ 8×)`
      : portkeyNote,
  ].filter(Boolean)
  const section = `<!-- gateway-comparison:start -->
## Gateway comparison (issue 3)

Command: \`npm run bench:gateway\` (bench/gateway-comparison.ts; ${durationS} s per run, ${connections} connections; the maximum with autocannon, the steady rate with the open-loop generator of bench/fixed-rate.ts, latency counted from when each request was due).
Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}. All targets, the upstream and the load generator share this machine, in one invocation.

| target | req/s (max, ${connections} conns) | p50 ms | p99 ms | errors | p50 / p99 ms at a steady ${steadyRate} req/s | added over (a) at ${steadyRate} req/s, p50 / p99 ms |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${table}

${ratios.map((line) => `- ${line}`).join('\n')}
- Local route (summarize_text WASM module, \`Prefer: wait\`): ${fmt(local.reqPerSec)} tasks/s, p50 ${fmt(local.p50Ms)} ms, p99 ${fmt(local.p99Ms)} ms, ${local.errors + local.non2xx} errors.
- OMERTAOS process memory after the runs: ${memory ? `RSS ${memory.rss} MiB, peak ${memory.peak} MiB` : 'not measured'}.
<!-- gateway-comparison:end -->`
  let doc = ''
  try {
    doc = readFileSync('BENCHMARKS.md', 'utf8')
  } catch {
    doc =
      '# Benchmarks\n\nFigures from `bench/`; each section names the command that produced it.\n'
  }
  const pattern = /<!-- gateway-comparison:start -->[\s\S]*<!-- gateway-comparison:end -->/
  doc = pattern.test(doc) ? doc.replace(pattern, section) : `${doc.trimEnd()}\n\n${section}\n`
  writeFileSync('BENCHMARKS.md', doc)
  process.stdout.write(`${section}\n`)
}

try {
  await main()
} finally {
  for (const child of children) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM')
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
}
// autocannon and the children's pipes keep handles open; the run is over.
process.exit(0)
