/** Messages between the module executor and its WASM worker threads. */
import type { WasmModule } from './wasm-api.js'

/** What a worker is started with (`workerData`). */
export interface WorkerData {
  /** The host-call channel: see `CHANNEL` in wasm-host-api.js for its layout. */
  readonly channel: SharedArrayBuffer
}

/** A file of the package, mounted read-only; the bytes are shared, never copied per call. */
export interface MountedFile {
  /** Relative, slash-separated. */
  readonly path: string
  readonly bytes: Uint8Array
}

/**
 * Main thread → worker, once per package per worker (replayed to replacement
 * workers): what every call of the package shares.
 */
export interface WorkerRegisterMessage {
  readonly type: 'register'
  /** `name@version`: the key calls use. */
  readonly id: string
  /** Compiled once by the executor; structured clone shares the compiled code. */
  readonly module: WasmModule
  /** The module's name: its only argument (`argv[0]`). */
  readonly name: string
  /** The package's files when the manifest grants `filesystem: read-only`; absent for `none`. */
  readonly files?: readonly MountedFile[]
}

/** Main thread → worker: run one call in a fresh instance. */
export interface WorkerRunMessage {
  readonly type: 'run'
  /** The registered package. */
  readonly id: string
  readonly stdin: Uint8Array
  /** `NAME=value` entries: the declared secrets that resolved, nothing else. */
  readonly env: readonly string[]
  readonly stdoutLimitBytes: number
  readonly stderrLimitBytes: number
  /**
   * Set by the pool: no other call waited when this one was handed over, so the
   * worker may poll for the next call after it (see `poll` in wasm-worker.js). With
   * calls queued the pool is saturated and a polling worker would only take CPU
   * from the threads that have work.
   */
  readonly poll?: boolean
}

export type WorkerInboundMessage = WorkerRegisterMessage | WorkerRunMessage

/** Worker → main thread: the worker has loaded and takes calls. */
export interface WorkerReadyMessage {
  readonly type: 'ready'
}

/** Worker → main thread, mid-call: the instance called a host function that needs the main thread. */
export interface WorkerHostCallMessage {
  readonly type: 'host-call'
  readonly call: 'fetch'
  /** The request JSON the module passed. */
  readonly request: Uint8Array
}

/** What every end of a call reports. */
interface WorkerOutcome {
  readonly stdout: Uint8Array
  /** The module wrote more than the cap; the instance was stopped at that write. */
  readonly stdoutOverflowed: boolean
  readonly stderr: Uint8Array
  readonly durationMs: number
  /** Size of the instance's memory at the end. */
  readonly memoryBytes: number
  /** Whether the memory was at its maximum (it could not grow by one more page). */
  readonly memoryAtLimit: boolean
}

/** Worker → main thread: the instance exited (with any status). */
export interface WorkerExitedMessage extends WorkerOutcome {
  readonly type: 'exited'
  readonly exitCode: number
}

/** Worker → main thread: the instance trapped, was stopped, or could not be instantiated. */
export interface WorkerTrappedMessage extends WorkerOutcome {
  readonly type: 'trapped'
  readonly detail: string
}

export type WorkerReply = WorkerExitedMessage | WorkerTrappedMessage
export type WorkerMessage = WorkerReadyMessage | WorkerHostCallMessage | WorkerReply

/** Narrows a message from a worker; anything else is a protocol bug. */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (typeof value !== 'object' || value === null) return false
  const type = (value as { type?: unknown }).type
  return type === 'ready' || type === 'exited' || type === 'trapped' || type === 'host-call'
}
