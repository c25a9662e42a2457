// @ts-check
/**
 * A WASM worker thread: runs one call at a time, each in a fresh instance, with
 * WASI preview1 over an in-memory filesystem. The instance sees no host path:
 * stdin is the request, stdout/stderr are capped sinks, and fd 3 is the package's
 * own files, read-only, only when the manifest grants `filesystem: read-only`. Its
 * arguments are its name alone, its environment the declared secrets alone; it
 * gets the clock and random numbers; sockets are refused; its one way out is
 * `aion_http.fetch` (wasm-worker-http.js). The pool terminates this thread to kill
 * a call that times out or is cancelled.
 *
 * Plain JavaScript (type-checked through JSDoc): Node 20 does not hand module
 * loader hooks to worker threads, and registering tsx inside each worker costs
 * 0.3–2 s per start, while a killed worker must be replaced quickly.
 */
import { setPriority } from 'node:os'
import { performance } from 'node:perf_hooks'
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads'
import { HTTP_MODULE, PACKAGE_DIR_NAME, WASI_MODULE } from './wasm-host-api.js'
import { buildTree, ReadOnlyFile, ReadOnlyOpenFile, ReadOnlyPreopen } from './wasm-worker-fs.js'
import { createHttpChannel } from './wasm-worker-http.js'
import { OutputFd, OutputSink, WorkerWasi } from './wasm-worker-wasi.js'

/** @typedef {import('./worker-protocol.js').WorkerInboundMessage} WorkerInboundMessage */
/** @typedef {import('./worker-protocol.js').WorkerRegisterMessage} WorkerRegisterMessage */
/** @typedef {import('./worker-protocol.js').WorkerRunMessage} WorkerRunMessage */
/** @typedef {import('./worker-protocol.js').WorkerReply} WorkerReply */
/** @typedef {import('./worker-protocol.js').WorkerData} WorkerData */
/** @typedef {import('./wasm-api.js').WasmModule} WasmModule */
/** @typedef {{ buffer: ArrayBuffer, grow(pages: number): number }} Memory */

// Typed by wasm-api.ts (a type-only import: this file must not load TypeScript at run time).
const wasm = /** @type {{ WebAssembly: import('./wasm-api.js').WasmApi }} */ (
  /** @type {unknown} */ (globalThis)
).WebAssembly

/**
 * This thread's nice value. On Linux a thread has its own, and `setPriority(n)` sets
 * the calling thread's alone; elsewhere it would lower the whole process, so it is
 * left. Below the main thread, a module spinning until its deadline yields the CPU
 * to the event loop (requests, and the timer that kills it) whenever both want it.
 */
const WORKER_NICE = 10
if (process.platform === 'linux') setPriority(WORKER_NICE)

const port = parentPort
const data = /** @type {WorkerData} */ (workerData)
const EMPTY = new Uint8Array(0)

/**
 * @typedef {object} Registered
 * @property {WasmModule} module
 * @property {readonly string[]} args
 * @property {import('./wasm-worker-fs.js').ReadOnlyDirectory | undefined} root
 * @property {number} instantiateMs how long its last instantiation took
 */

/** @type {Map<string, Registered>} */
const packages = new Map()

/**
 * Instantiations at most this slow are done ahead: after a call, the worker makes
 * the next instance of the same package while it waits, so the next call skips it.
 * The spare is as fresh as one made on demand (nothing has run in it); a slow one
 * (a start function doing work) is left to the call, inside the call's deadline.
 */
const SPARE_MAX_INSTANTIATE_MS = 2

/** @type {{ id: string, instance: import('./wasm-api.js').WasmInstance } | undefined} */
let spare
const wasi = new WorkerWasi()
/** @type {Memory | undefined} */
let currentMemory
const http = createHttpChannel(data.channel, (message, transfer) =>
  port?.postMessage(message, transfer),
)
const imports = {
  [WASI_MODULE]: wasi.imports,
  [HTTP_MODULE]: { fetch: http.fetchImport(() => /** @type {Memory} */ (currentMemory)) },
}

/** @param {unknown} error */
function describe(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}

/**
 * Whether `memory` is at its maximum: growing it by one page fails. The instance
 * is discarded after the call, so growing its memory here changes nothing.
 * @param {Memory | undefined} memory
 */
function atLimit(memory) {
  if (!memory) return false
  try {
    memory.grow(1)
    return false
  } catch {
    return true
  }
}

/** @param {WorkerRegisterMessage} message */
function register(message) {
  packages.set(message.id, {
    module: message.module,
    args: Object.freeze([message.name]),
    root: message.files ? buildTree(message.files) : undefined,
    instantiateMs: Number.POSITIVE_INFINITY,
  })
}

/**
 * A fresh instance of `pkg`: the spare when there is one for it, else a new one.
 * @param {string} id
 * @param {Registered} pkg
 */
function instanceOf(id, pkg) {
  if (spare?.id === id) {
    const { instance } = spare
    spare = undefined
    return instance
  }
  const startedAt = performance.now()
  const instance = new wasm.Instance(pkg.module, imports)
  pkg.instantiateMs = performance.now() - startedAt
  return instance
}

/**
 * Makes the spare for the package that just ran, if its instances are quick to make.
 * @param {string} id
 */
function prepareSpare(id) {
  const pkg = packages.get(id)
  if (!pkg || pkg.instantiateMs > SPARE_MAX_INSTANTIATE_MS) return
  try {
    spare = { id, instance: new wasm.Instance(pkg.module, imports) }
  } catch {
    spare = undefined
  }
}

/**
 * Runs one call; never throws, every outcome is a reply.
 * @param {WorkerRunMessage} message
 * @returns {WorkerReply}
 */
function run(message) {
  const startedAt = performance.now()
  const stdout = new OutputSink(message.stdoutLimitBytes)
  const stderr = new OutputSink(message.stderrLimitBytes)
  const pkg = packages.get(message.id)
  /** @type {WorkerReply} */
  let reply
  http.denied = false
  currentMemory = undefined
  try {
    if (!pkg) throw new Error(`package ${message.id} is not registered with this worker`)
    /** @type {import('@bjorn3/browser_wasi_shim').Fd[]} */
    const fds = [
      new ReadOnlyOpenFile(new ReadOnlyFile(message.stdin)),
      new OutputFd(stdout, true),
      new OutputFd(stderr, false),
    ]
    if (pkg.root) fds.push(new ReadOnlyPreopen(PACKAGE_DIR_NAME, pkg.root))
    wasi.begin(pkg.args, message.env, fds)
    const instance = instanceOf(message.id, pkg)
    const memory = instance.exports.memory
    if (!(memory instanceof wasm.Memory) || typeof instance.exports._start !== 'function') {
      throw new TypeError('the module exports no memory or no _start')
    }
    currentMemory = /** @type {Memory} */ (/** @type {unknown} */ (memory))
    const exitCode = wasi.start(instance)
    reply = {
      type: 'exited',
      exitCode,
      stdout: stdout.bytes(),
      stdoutOverflowed: stdout.overflowed,
      stderr: stderr.bytes(),
      durationMs: performance.now() - startedAt,
      memoryBytes: currentMemory.buffer.byteLength,
      memoryAtLimit: exitCode !== 0 && atLimit(currentMemory),
    }
  } catch (error) {
    reply = {
      type: 'trapped',
      detail: describe(error),
      stdout: EMPTY,
      stdoutOverflowed: stdout.overflowed,
      stderr: stderr.bytes(),
      durationMs: performance.now() - startedAt,
      memoryBytes: currentMemory?.buffer.byteLength ?? 0,
      memoryAtLimit: atLimit(currentMemory),
    }
  } finally {
    wasi.end()
    currentMemory = undefined
  }
  return reply
}

/**
 * Adaptive spinning. Waking a thread that sleeps in its event loop costs tens of
 * microseconds on a virtual machine (the vCPU halts and must be woken) — as much
 * as a small call itself. So after a call the worker polls its port for the next
 * one for a short window before it goes back to sleep. The window adapts, as
 * adaptive mutexes do: a poll that catches a call doubles it (up to the maximum),
 * one that comes back empty halves it, and below the minimum the worker stops
 * polling except for one probe every PROBE_EVERY calls — long enough to catch a
 * client that sends its next call as soon as it has the answer, so a closed
 * window opens again when calls come back to back. A steady stream of calls
 * (a pipeline, a client waiting on each answer) keeps the window open; sparse
 * calls close it, so an idle or lightly loaded pool burns no CPU the event loop needs.
 */
const SPIN_MAX_MS = 0.25
const SPIN_MIN_MS = 0.02
const PROBE_MS = 0.1
const PROBE_EVERY = 32
let spinMs = SPIN_MAX_MS
let callsSinceProbe = 0

/**
 * The next message if one arrives within the spin window, else undefined.
 * @returns {WorkerInboundMessage | undefined}
 */
function poll() {
  if (!port) return undefined
  let windowMs = spinMs
  if (windowMs === 0) {
    if (++callsSinceProbe < PROBE_EVERY) return undefined
    callsSinceProbe = 0
    windowMs = PROBE_MS
  }
  const until = performance.now() + windowMs
  do {
    const received = receiveMessageOnPort(port)
    if (received) {
      spinMs = Math.min(SPIN_MAX_MS, Math.max(SPIN_MIN_MS, windowMs * 2))
      return /** @type {WorkerInboundMessage} */ (received.message)
    }
  } while (performance.now() < until)
  spinMs = windowMs / 2 < SPIN_MIN_MS ? 0 : windowMs / 2
  return undefined
}

/**
 * Handles one message; a call's reply is posted before anything else is done.
 * @param {WorkerInboundMessage} message
 */
function handle(message) {
  if (message.type === 'register') {
    register(message)
    return
  }
  const reply = run(message)
  /** @type {ArrayBuffer[]} */
  const transfer = []
  for (const bytes of [reply.stdout, reply.stderr]) {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    if (
      bytes.byteLength > 0 &&
      whole &&
      !transfer.includes(/** @type {ArrayBuffer} */ (bytes.buffer))
    ) {
      transfer.push(/** @type {ArrayBuffer} */ (bytes.buffer))
    }
  }
  port?.postMessage(reply, transfer)
  prepareSpare(message.id)
}

if (port) {
  port.on('message', (/** @type {WorkerInboundMessage} */ message) => {
    // After a call, the next one may come while the worker polls (see poll).
    for (let next = /** @type {WorkerInboundMessage | undefined} */ (message); next;) {
      handle(next)
      next = next.type === 'run' && next.poll ? poll() : undefined
    }
  })
  port.postMessage({ type: 'ready' })
}
