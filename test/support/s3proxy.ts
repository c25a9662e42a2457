/**
 * The S3-API server tests run against: S3Proxy with its filesystem backend,
 * started by scripts/dev-s3proxy.sh on a free loopback port with a data
 * directory of its own (one per test file, stopped and removed by
 * {@link TestS3.dispose}), or the server AION_TEST_S3_ENDPOINT names (with
 * AION_TEST_S3_ACCESS_KEY_ID and AION_TEST_S3_SECRET_ACCESS_KEY).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EngineProbe } from './engines.js'
import { freePort } from './registry.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SCRIPT = join(root, 'scripts', 'dev-s3proxy.sh')
const CLASSPATH_FILE = join(root, 'dev', 's3proxy', 'target', 'classpath.txt')
/** The first run downloads the jar (55 MB) before S3Proxy starts. */
export const S3PROXY_START_TIMEOUT_MS = 180_000

/** Where a test's S3-API server is and how to sign for it. */
export interface TestS3 {
  readonly endpoint: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** False for AION_TEST_S3_ENDPOINT's server, which tests cannot stop. */
  readonly stoppable: boolean
  /** Stops the server (S3Proxy keeps its data directory for {@link TestS3.restart}). */
  stop(): Promise<void>
  /** Starts it again on the same port and data. */
  restart(): Promise<void>
  /** Stops the server and removes its data. */
  dispose(): Promise<void>
}

/** How tests get an S3-API server, decided once per file. */
export type S3Source =
  { readonly kind: 'external'; readonly endpoint: string } | { readonly kind: 's3proxy' }

function jarPresent(): boolean {
  try {
    const jars = readFileSync(CLASSPATH_FILE, 'utf8').trim().split(':')
    return jars.length > 0 && jars.every((jar) => jar !== '' && existsSync(jar))
  } catch {
    return false
  }
}

/** AION_TEST_S3_ENDPOINT, else S3Proxy when Java and its jar (or mvn to fetch it) are here. */
export function probeS3Proxy(): EngineProbe<S3Source> {
  const endpoint = process.env.AION_TEST_S3_ENDPOINT
  if (endpoint) return { ok: true, value: { kind: 'external', endpoint } }
  if (spawnSync('java', ['-version']).status !== 0) {
    return { ok: false, reason: 'java is not installed (S3Proxy needs Java 17+)' }
  }
  if (!jarPresent() && spawnSync('mvn', ['-v']).status !== 0) {
    return {
      ok: false,
      reason:
        'the S3Proxy jar is not fetched and mvn is not installed; or set AION_TEST_S3_ENDPOINT',
    }
  }
  return { ok: true, value: { kind: 's3proxy' } }
}

async function launch(port: number, dataDir: string, keys: Keys): Promise<ChildProcess> {
  const child = spawn('bash', [SCRIPT, dataDir], {
    env: {
      ...process.env,
      DEV_S3PROXY_PORT: String(port),
      DEV_S3PROXY_ACCESS_KEY: keys.accessKeyId,
      DEV_S3PROXY_SECRET_KEY: keys.secretAccessKey,
      DEV_S3PROXY_PARENT_PID: String(process.pid),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('s3proxy ready on')) resolve()
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) =>
      reject(new Error(`S3Proxy exited (${code}) before ready:\n${output}`)),
    )
  })
  return child
}

async function halt(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

type Keys = { readonly accessKeyId: string; readonly secretAccessKey: string }

/** A running S3-API server for one test file. */
export async function startS3(source: S3Source): Promise<TestS3> {
  if (source.kind === 'external') {
    return {
      endpoint: source.endpoint,
      accessKeyId: process.env.AION_TEST_S3_ACCESS_KEY_ID ?? 'aion-dev',
      secretAccessKey: process.env.AION_TEST_S3_SECRET_ACCESS_KEY ?? 'aion-dev-secret',
      stoppable: false,
      stop: async () => undefined,
      restart: async () => undefined,
      dispose: async () => undefined,
    }
  }
  const keys: Keys = { accessKeyId: 'aion-test', secretAccessKey: 'aion-test-secret' }
  const dataDir = await mkdtemp(join(tmpdir(), 'aion-s3proxy-'))
  const port = await freePort()
  let child: ChildProcess | undefined = await launch(port, dataDir, keys)
  return {
    endpoint: `http://127.0.0.1:${port}`,
    ...keys,
    stoppable: true,
    async stop() {
      if (child) await halt(child)
      child = undefined
    },
    async restart() {
      if (child) await halt(child)
      child = await launch(port, dataDir, keys)
    },
    async dispose() {
      if (child) await halt(child)
      child = undefined
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
