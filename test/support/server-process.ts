/**
 * `npm start`'s entry point as a child process, the way a user runs it, for
 * tests that need real signals and restarts. Every child and temp dir made
 * here is cleaned by {@link cleanUpProcesses}.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serverArgs } from '../../src/server/server-command.js'

const children: ChildProcess[] = []
const dirs: string[] = []

/** A temp directory removed by {@link cleanUpProcesses}. */
export function tempDir(prefix = 'aion-proc-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

/** Kills every child still running and removes the temp dirs. */
export function cleanUpProcesses(): void {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export interface ServerProcess {
  readonly child: ChildProcess
  readonly exited: Promise<number | null>
  stderr(): string
}

export interface StartedServer extends ServerProcess {
  readonly url: string
  /** The development key printed on a first start; undefined on later starts. */
  readonly key: string | undefined
  /** What it wrote on stdout so far (its JSON log and the banner). */
  stdoutLog(): string
}

/** Spawns the server with only `PATH` and the given `AION_*` settings. */
export function spawnServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, serverArgs(), {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  return { child, exited, stderr: () => stderr }
}

/** Spawns the server on a free port and resolves once its banner is printed. */
export function startServer(env: Record<string, string>): Promise<StartedServer> {
  const server = spawnServer({ AION_HOST: '127.0.0.1', AION_PORT: '0', ...env })
  let stdout = ''
  return new Promise((resolve, reject) => {
    server.child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const url = /OMERTAOS is up at (\S+)\n/.exec(stdout)?.[1]
      if (url === undefined) return
      // The key line follows the URL line in the same write; no key line means keys existed.
      const key = /(aion_[a-z0-9]+_[a-z0-9]+)/.exec(stdout)?.[1]
      if (key !== undefined || stdout.includes('API keys:'))
        resolve({ ...server, url, key, stdoutLog: () => stdout })
    })
    void server.exited.then((code) =>
      reject(new Error(`server exited with ${code}: ${server.stderr()}`)),
    )
  })
}

/** What an `aionctl` run printed and how it exited. */
export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the package's `aionctl` bin with only `PATH` and the given settings. */
export function aionctl(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const result = spawnSync(process.execPath, ['bin/aionctl.js', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** {@link aionctl} without blocking the event loop, for a run that talks to a server of this process. */
export function aionctlAsync(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, ['bin/aionctl.js', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
}
