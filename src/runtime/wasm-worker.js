// @ts-check
/**
 * A WASM worker thread: runs one call at a time, each in a fresh instance, with
 * WASI preview1 over in-memory stdin/stdout/stderr. The instance sees no host
 * filesystem (no preopened directories), no environment and no argument beyond
 * its name; it gets the clock and random numbers WASI always offers. The pool
 * terminates this thread to kill a call that times out or is cancelled.
 *
 * Plain JavaScript (type-checked through JSDoc): Node 20 does not hand module
 * loader hooks to worker threads, and registering tsx inside each worker costs
 * 0.3–2 s per start, while a killed worker must be replaced quickly.
 */
import { performance } from 'node:perf_hooks'
import { parentPort } from 'node:worker_threads'
import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim'

/** @typedef {import('./worker-protocol.js').WorkerRunMessage} WorkerRunMessage */
/** @typedef {import('./worker-protocol.js').WorkerReply} WorkerReply */

// Typed by wasm-api.ts (a type-only import: this file must not load TypeScript at run time).
const wasm = /** @type {{ WebAssembly: import('./wasm-api.js').WasmApi }} */ (
  /** @type {unknown} */ (globalThis)
).WebAssembly

/**
 * A byte sink with a cap: what fits is kept, the rest only marks `overflowed`, so a
 * module that floods its output cannot grow this thread's memory.
 */
class OutputSink {
  /** @param {number} limitBytes */
  constructor(limitBytes) {
    this.limitBytes = limitBytes
    /** @type {Uint8Array[]} */
    this.chunks = []
    this.keptBytes = 0
    this.overflowed = false
  }

  /** @param {Uint8Array} chunk */
  write(chunk) {
    const room = this.limitBytes - this.keptBytes
    if (chunk.byteLength > room) this.overflowed = true
    if (room <= 0) return
    const kept = chunk.byteLength > room ? chunk.subarray(0, room) : chunk
    this.chunks.push(kept)
    this.keptBytes += kept.byteLength
  }

  /** @returns {Uint8Array} everything kept, in one buffer */
  bytes() {
    const out = new Uint8Array(this.keptBytes)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += chunk.byteLength
    }
    return out
  }
}

/** @param {unknown} error */
function describe(error) {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/**
 * Runs one call; never throws, every outcome is a reply.
 * @param {WorkerRunMessage} message
 * @returns {WorkerReply}
 */
function runInstance(message) {
  const stdout = new OutputSink(message.stdoutLimitBytes)
  const stderr = new OutputSink(message.stderrLimitBytes)
  const fds = [
    new OpenFile(new File(message.stdin, { readonly: true })),
    new ConsoleStdout((chunk) => stdout.write(chunk)),
    new ConsoleStdout((chunk) => stderr.write(chunk)),
  ]
  // `debug: false` must be explicit: the shim logs every call when it is left out.
  const wasi = new WASI([message.name], [], fds, { debug: false })
  const startedAt = performance.now()
  try {
    const imports = { wasi_snapshot_preview1: wasi.wasiImport }
    const instance = new wasm.Instance(message.module, imports)
    const { memory, _start } = instance.exports
    if (!(memory instanceof wasm.Memory) || typeof _start !== 'function') {
      throw new TypeError('the module exports no memory or no _start')
    }
    const exitCode = wasi.start(/** @type {never} */ (instance))
    const durationMs = performance.now() - startedAt
    const out = stdout.bytes()
    const err = stderr.bytes()
    return {
      type: 'exited',
      exitCode,
      stdout: out,
      stdoutOverflowed: stdout.overflowed,
      stderr: err,
      durationMs,
    }
  } catch (error) {
    const durationMs = performance.now() - startedAt
    return { type: 'trapped', detail: describe(error), stderr: stderr.bytes(), durationMs }
  }
}

const port = parentPort
if (port) {
  port.on('message', (/** @type {WorkerRunMessage} */ message) => {
    const reply = runInstance(message)
    const transfer = reply.type === 'exited' ? [reply.stdout.buffer, reply.stderr.buffer] : []
    port.postMessage(reply, /** @type {ArrayBuffer[]} */ (transfer))
  })
  port.postMessage({ type: 'ready' })
}
