/**
 * The processes the gateway benchmarks compare, started the same way by each
 * of them (bench/gateway-comparison.ts, bench/profile-stages.ts): the test
 * upstream, the two floors, OMERTAOS and the Portkey gateway, each in its own
 * process group, on a given Node (bench/node-runtimes.ts), and the autocannon
 * load they are measured with.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { serverArgs } from '../src/server/server-command.js'
import type { NodeRuntime } from './node-runtimes.js'

/** One server under load: where to send what. */
export interface Target {
  readonly name: string
  readonly url: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly pid?: number
}

/** What one closed-loop autocannon run measured. */
export interface Figures {
  readonly requests: number
  readonly reqPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly errors: number
  readonly non2xx: number
}

/** A started process: its stdout lines so far. */
export interface Started {
  readonly child: ChildProcess
  readonly lines: string[]
}

export const connections = 50

export const chatBody = JSON.stringify({
  model: 'gpt-4.1-mini',
  messages: [{ role: 'user', content: 'Say hello to the benchmark.' }],
})

const children: ChildProcess[] = []
const tempDirs: string[] = []

/** Options of {@link startChild}. */
export interface StartOptions {
  readonly env?: Record<string, string>
  readonly cwd?: string
  /** Open an IPC channel to the child (bench/profile-hook.mjs listens on it). */
  readonly ipc?: boolean
}

/** Starts `args` in its own process group and resolves once it says it is listening. */
export function startChild(args: string[], options: StartOptions = {}): Promise<Started> {
  // Its own process group, so the cleanup also ends what npx starts under it.
  const child = spawn(args[0] as string, args.slice(1), {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
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

/** One of this folder's TypeScript scripts, in its own process, on `node`. */
export function startScript(
  node: NodeRuntime,
  script: string,
  args: string[] = [],
  options: { nodeArgs?: string[]; ipc?: boolean } = {},
): Promise<Started> {
  return startChild(
    [node.execPath, ...(options.nodeArgs ?? []), '--import', 'tsx', script, ...args],
    {
      cwd: node.cwd,
      ipc: options.ipc,
    },
  )
}

/** The `{"url": …}` line a started script printed. */
export function urlFrom(lines: string[]): string {
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

/** Closed-loop load: `connections` connections sending back to back for `seconds`. */
export async function load(target: Target, options: { seconds: number }): Promise<Figures> {
  const result = await autocannon({
    url: `${target.url}${target.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: target.body,
    connections,
    duration: options.seconds,
  })
  return {
    requests: result.requests.total,
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

/** Resident and peak memory of a process, in MiB. */
export function rssMb(pid: number | undefined): { rss: number; peak: number } | undefined {
  if (!pid) return undefined
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
    return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) }
  } catch {
    return undefined
  }
}

/** A fresh temporary directory, removed by {@link stopAll}. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

/** The test upstream (an OpenAI-compatible server) on the harness's own Node. */
export async function startUpstream(node: NodeRuntime): Promise<string> {
  return urlFrom((await startScript(node, 'bench/upstream-server.ts')).lines)
}

/** OMERTAOS on its embedded defaults, rate limits set high, its providers pointed at `upstreamUrl`. */
export async function startOmertaos(
  node: NodeRuntime,
  upstreamUrl: string,
  options: { nodeArgs?: string[]; ipc?: boolean } = {},
): Promise<{ url: string; key: string; pid: number; child: ChildProcess }> {
  const configDir = tempDir('aion-bench-config-')
  const dataDir = tempDir('aion-bench-data-')
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
  const [flags, entry] = [serverArgs().slice(0, -1), serverArgs().at(-1) as string]
  const { child, lines } = await startChild(
    [node.execPath, ...flags, ...(options.nodeArgs ?? []), entry],
    {
      cwd: node.cwd,
      ipc: options.ipc,
      env: {
        AION_PORT: '0',
        AION_DATA_DIR: dataDir,
        AION_CONFIG_DIR: configDir,
        AION_LOG_LEVEL: 'warn',
        AION_OPENAI_API_KEY: 'bench',
        AION_OPENAI_BASE_URL: upstreamUrl,
      },
    },
  )
  await new Promise((resolve) => setTimeout(resolve, 500))
  const text = lines.join('\n')
  const key = /(aion_[A-Za-z0-9]+_[A-Za-z0-9-]+)/.exec(text)?.[1]
  if (!key) throw new Error(`no development key printed:\n${text}`)
  const url = /OMERTAOS is up at (\S+)/.exec(text)?.[1]
  if (!url) throw new Error(`no URL printed:\n${text}`)
  return { url, key, pid: child.pid as number, child }
}

/** OMERTAOS's api-route task, waited for: (c) of the comparison. */
export function omertaosApiTarget(omertaos: { url: string; key: string; pid: number }): Target {
  return {
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
  }
}

/** A pass-through floor's chat completion. */
export function passThroughTarget(name: string, started: Started): Target {
  return {
    name,
    url: urlFrom(started.lines),
    path: '/v1/chat/completions',
    headers: {},
    body: chatBody,
    pid: started.child.pid,
  }
}

/** The Portkey gateway on `node` (npx runs it with the first `node` on its PATH), or why not. */
export async function startPortkey(
  node: NodeRuntime,
  upstreamUrl: string,
  port: number,
): Promise<Target | string> {
  try {
    const { child } = await startChild(
      ['npx', '-y', '@portkey-ai/gateway@1.15.2', `--port=${port}`, '--headless'],
      { env: { PATH: `${node.binDir}:${process.env.PATH ?? ''}` } },
    )
    return {
      name: '(d) Portkey gateway 1.15.2',
      url: `http://127.0.0.1:${port}`,
      path: '/v1/chat/completions',
      headers: {
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': upstreamUrl,
        authorization: 'Bearer bench',
      },
      body: chatBody,
      pid: child.pid as number,
    }
  } catch (error) {
    return `Portkey unavailable: ${String(error)}`
  }
}

/** Ends one started process group. */
export function stop(child: ChildProcess): void {
  stopGroup(child.pid)
}

/** Ends the process group led by `pid`. */
export function stopGroup(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(-pid, 'SIGTERM')
  } catch {
    // already gone
  }
}

/** Ends every started process group and removes the temporary directories. */
export function stopAll(): void {
  for (const child of children) stop(child)
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
}

/** The local route's summarize_text input (the server's route and the pool floor both send it). */
export const localSummarizeInput = {
  text: 'OMERTAOS routes AI tasks. It enforces privacy and budgets. Dr. Smith measured 3.5 ms at p50. The module runs in a sandbox. Results stream back to the client.',
  max_sentences: 2,
}

/** OMERTAOS's local-route task (the summarize_text WASM module), waited for. */
export function omertaosLocalTarget(omertaos: { url: string; key: string; pid: number }): Target {
  return {
    name: 'OMERTAOS local summarize_text',
    url: omertaos.url,
    path: '/v1/tasks',
    headers: { authorization: `Bearer ${omertaos.key}`, prefer: 'wait=10' },
    body: JSON.stringify({ intent: 'summarize', route: 'local', input: localSummarizeInput }),
    pid: omertaos.pid,
  }
}
