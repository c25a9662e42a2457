/**
 * The Apache Kafka broker tests run against: the one `AION_TEST_KAFKA_BROKERS`
 * names (CI starts one for the whole run), or one this test file starts with
 * scripts/dev-kafka.sh on free loopback ports in a temporary directory, and
 * stops. A test that stops and restarts the broker (an outage) asks for its
 * own with `{ own: true }`; one that needs SASL and TLS with `{ secure: true }`
 * (its own too, with a SASL_SSL listener, a SCRAM user and a test CA).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { EngineProbe } from './engines.js'

const root = resolve(import.meta.dirname, '../..')
const script = join(root, 'scripts/dev-kafka.sh')
/** The first start may download the jars; later ones take 10–30 s on a busy machine. */
const READY_TIMEOUT_MS = 240_000

/** A broker a test can publish to and consume from. */
export interface KafkaBroker {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: string[]
  /** Stops the broker (a broker named by AION_TEST_KAFKA_BROKERS is left running). */
  stop(): Promise<void>
  /** Starts it again on the same ports and data (only a broker of this file's own). */
  restart(): Promise<void>
  /** Stops it for good and removes its data. */
  dispose(): Promise<void>
  /** Freezes the broker (SIGSTOP): connections stay open, nothing answers (only a broker of this file's own). */
  freeze(): void
  /** Lets a frozen broker go on (SIGCONT). */
  thaw(): void
  /** With `{ secure: true }`: the SASL_SSL listener and how to reach it. */
  readonly secure?: SecureListener
}

/** A SASL_SSL listener (SCRAM-SHA-512) whose certificate a test CA signed. */
export interface SecureListener {
  readonly brokers: string[]
  /** The test CA, PEM. */
  readonly ca: string
  readonly username: string
  readonly password: string
}

/** Options of {@link probeKafka}. */
export interface ProbeKafkaOptions {
  /** Start a broker of this file's own even when AION_TEST_KAFKA_BROKERS is set. @default false */
  readonly own?: boolean
  /** Add a SASL_SSL listener (implies `own`). @default false */
  readonly secure?: boolean
}

/** A reachable broker, or why there is none. */
export async function probeKafka(
  options: ProbeKafkaOptions = {},
): Promise<EngineProbe<KafkaBroker>> {
  const external = process.env.AION_TEST_KAFKA_BROKERS
  if (external && !options.own && !options.secure) {
    const brokers = external.split(',')
    const [host, port] = (brokers[0] ?? '').split(':')
    if (await accepts(host ?? '', Number(port))) {
      const noop = () => Promise.resolve()
      const value = { brokers, stop: noop, restart: noop, dispose: noop, freeze() {}, thaw() {} }
      return { ok: true, value }
    }
    return { ok: false, reason: `AION_TEST_KAFKA_BROKERS=${external} accepts no connection` }
  }
  const missing = missingTools(options.secure === true)
  if (missing) return { ok: false, reason: missing }
  const dataDir = await mkdtemp(join(tmpdir(), 'aion-kafka-'))
  const secure = options.secure ? await secureListener(dataDir) : undefined
  const broker = new OwnBroker(dataDir, await freePort(), await freePort(), secure)
  try {
    await broker.restart()
    return { ok: true, value: broker }
  } catch (error) {
    await broker.dispose()
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  }
}

function missingTools(secure: boolean): string | undefined {
  if (secure && spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) {
    return 'openssl is not installed (it makes the test CA of the SASL_SSL listener)'
  }
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) {
    return 'java is not installed (the Kafka broker needs Java 17+)'
  }
  const classpath = join(root, 'dev/kafka/target/classpath.txt')
  if (!existsSync(classpath) && spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0) {
    return 'mvn is not installed (it fetches the Kafka jars: dev/kafka/pom.xml)'
  }
  return undefined
}

class OwnBroker implements KafkaBroker {
  readonly brokers: string[]
  #child: ChildProcess | undefined
  readonly #killOnExit = () => this.#signal('SIGKILL')

  constructor(
    private readonly dataDir: string,
    private readonly port: number,
    private readonly controllerPort: number,
    readonly secure?: SecureListener & { readonly pemFile: string },
  ) {
    this.brokers = [`127.0.0.1:${port}`]
  }

  async restart(): Promise<void> {
    if (this.#child) return
    // Its own process group, so stopping it reaches the JVM under the script.
    const child = spawn('bash', [script, this.dataDir], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DEV_KAFKA_PORT: String(this.port),
        DEV_KAFKA_CONTROLLER_PORT: String(this.controllerPort),
        DEV_KAFKA_READY_TIMEOUT_S: String(READY_TIMEOUT_MS / 1000),
        // Several test files may each run one beside CI's shared broker.
        DEV_KAFKA_HEAP: '256m',
        ...(this.secure && {
          DEV_KAFKA_SASL_SSL_PORT: this.secure.brokers[0]!.split(':')[1],
          DEV_KAFKA_SCRAM_USER: this.secure.username,
          DEV_KAFKA_SCRAM_PASSWORD: this.secure.password,
          DEV_KAFKA_TLS_PEM: this.secure.pemFile,
        }),
      },
    })
    this.#child = child
    process.once('exit', this.#killOnExit)
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000)
    })
    await new Promise<void>((resolveReady, reject) => {
      let stdout = ''
      const timer = setTimeout(() => {
        fail(`the Kafka broker did not start within ${READY_TIMEOUT_MS} ms`)
      }, READY_TIMEOUT_MS)
      const fail = (why: string) => {
        clearTimeout(timer)
        reject(new Error(`${why}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`))
      }
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (stdout.includes('kafka ready on')) {
          clearTimeout(timer)
          resolveReady()
        }
      })
      child.once('exit', (code) => {
        fail(`scripts/dev-kafka.sh exited with ${code}`)
      })
    }).catch(async (error: unknown) => {
      await this.stop()
      throw error
    })
  }

  async stop(): Promise<void> {
    const child = this.#child
    if (!child) return
    const exited = new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) done()
      else child.once('exit', () => done())
    })
    this.#signal('SIGCONT')
    this.#signal('SIGTERM')
    const timer = setTimeout(() => this.#signal('SIGKILL'), 30_000)
    await exited
    clearTimeout(timer)
    // The script waits for the JVM, but a killed script would not: make sure the group is gone.
    this.#signal('SIGKILL')
    this.#child = undefined
    process.removeListener('exit', this.#killOnExit)
  }

  async dispose(): Promise<void> {
    await this.stop()
    await rm(this.dataDir, { recursive: true, force: true })
  }

  freeze(): void {
    this.#signal('SIGSTOP')
  }

  thaw(): void {
    this.#signal('SIGCONT')
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#child?.pid
    if (pid === undefined) return
    try {
      process.kill(-pid, signal)
    } catch {
      // already gone
    }
  }
}

/** A test CA and a certificate for 127.0.0.1 that it signed, made with openssl. */
async function secureListener(
  dataDir: string,
): Promise<SecureListener & { readonly pemFile: string }> {
  const dir = join(dataDir, 'tls')
  await mkdir(dir, { recursive: true })
  const openssl = (args: string[]) => {
    const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
    if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr}`)
  }
  const subject = (cn: string) => ['-subj', `/CN=${cn}`]
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    ...subject('aion-test-ca'),
  ])
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    ...subject('127.0.0.1'),
  ])
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  openssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  ])
  const pemFile = join(dir, 'server.pem')
  await writeFile(
    pemFile,
    (await readFile(join(dir, 'server.key'), 'utf8')) +
      (await readFile(join(dir, 'server.crt'), 'utf8')),
  )
  return {
    brokers: [`127.0.0.1:${await freePort()}`],
    ca: await readFile(join(dir, 'ca.crt'), 'utf8'),
    username: 'aion-relay',
    password: `secret-${Math.random().toString(36).slice(2)}`,
    pemFile,
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolvePort(port))
    })
  })
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((answer) => {
    const socket = createConnection({ host, port, timeout: 3000 })
    const done = (ok: boolean) => {
      socket.destroy()
      answer(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}
