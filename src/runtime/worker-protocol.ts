/** Messages between the module executor and its WASM worker threads. */
import type { WasmModule } from './wasm-api.js'

/** Main thread → worker: run one call in a fresh instance. */
export interface WorkerRunMessage {
  readonly type: 'run'
  /** Compiled once by the executor; structured clone shares the compiled code. */
  readonly module: WasmModule
  /** The module's name: its only argument (`argv[0]`). */
  readonly name: string
  readonly stdin: Uint8Array
  readonly stdoutLimitBytes: number
  readonly stderrLimitBytes: number
}

/** Worker → main thread: the worker has loaded and takes calls. */
export interface WorkerReadyMessage {
  readonly type: 'ready'
}

/** Worker → main thread: the instance exited (with any status). */
export interface WorkerExitedMessage {
  readonly type: 'exited'
  readonly exitCode: number
  readonly stdout: Uint8Array
  readonly stdoutOverflowed: boolean
  readonly stderr: Uint8Array
  readonly durationMs: number
}

/** Worker → main thread: the instance trapped or could not be instantiated. */
export interface WorkerTrappedMessage {
  readonly type: 'trapped'
  readonly detail: string
  readonly stderr: Uint8Array
  readonly durationMs: number
}

export type WorkerReply = WorkerExitedMessage | WorkerTrappedMessage
export type WorkerMessage = WorkerReadyMessage | WorkerReply

/** Narrows a message from a worker; anything else is a protocol bug. */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (typeof value !== 'object' || value === null) return false
  const type = (value as { type?: unknown }).type
  return type === 'ready' || type === 'exited' || type === 'trapped'
}
