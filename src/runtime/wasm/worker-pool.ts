/**
 * A small pool of WASM worker threads. Each worker runs one call at a time; calls
 * wait in FIFO order for a free worker. A call that passes its deadline or is
 * aborted gets its worker terminated (the only way to stop a running instance)
 * and a spare worker, booted ahead and idle, takes that worker's place at once
 * (a new spare then boots): calls queued behind a kill never wait for a worker to
 * start. Packages are registered once and
 * replayed to every new worker, so a call message carries only its own input.
 * Outcomes are returned as values, not thrown, so the executor alone decides which
 * error each becomes.
 *
 * A host call from an instance (`aion_http.fetch`) arrives as a message while the
 * worker blocks on its channel; the call's `hostCall` answers it and the pool
 * writes the answer into that worker's channel and wakes it.
 */
import { Worker } from 'node:worker_threads'
import { setTimeout as delay } from 'node:timers/promises'
import { CHANNEL, ERRNO } from './wasm-host-api.js'
import { workerFile } from './worker-entry.js'
import {
  isWorkerMessage,
  type WorkerData,
  type WorkerHostCallMessage,
  type WorkerRegisterMessage,
  type WorkerReply,
  type WorkerRunMessage,
} from './worker-protocol.js'

/** How the main thread answers a host call: bytes for the module, an errno, or a refusal. */
export type HostCallAnswer =
  | { readonly kind: 'answered'; readonly bytes: Uint8Array }
  | { readonly kind: 'failed'; readonly errno: number }
  | { readonly kind: 'denied' }

/** Answers one call's host calls; `signal` aborts when the call ends. */
export type HostCallHandler = (
  message: WorkerHostCallMessage,
  signal: AbortSignal,
) => Promise<HostCallAnswer>

/** Options of {@link WorkerPool.start}. */
export interface WorkerPoolOptions {
  /** Bytes of the largest host-call answer (the channel's payload). */
  readonly hostCallLimitBytes: number
}

/** How a pooled call ended. */
export type PoolOutcome =
  | { readonly kind: 'replied'; readonly reply: WorkerReply }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'crashed'; readonly detail: string }
  | { readonly kind: 'closed' }

interface Job {
  readonly message: WorkerRunMessage
  readonly hostCall: HostCallHandler | undefined
  /**
   * Made at the call's first host call and aborted when the call settles: stops its
   * host calls still in flight. Lazy because most calls make none, and an abort
   * (its DOMException) is not free on the hot path.
   */
  ended?: AbortController
  /** Called when a worker takes the call: the deadline starts. */
  readonly started: () => void
  readonly settle: (outcome: PoolOutcome) => void
  slot?: Slot
}

interface Slot {
  readonly worker: Worker
  /** The worker's host-call channel (see CHANNEL). */
  readonly channel: SharedArrayBuffer
  ready: boolean
  /** Set once the pool has let this worker go; its exit is then expected. */
  retired: boolean
  /** Booted ahead, held out of dispatch until a killed worker's place is free. */
  spare: boolean
  job?: Job
}

const RESPAWN_BACKOFF_MS = [0, 100, 500, 2_000, 10_000]

/** Resource limits of each worker's JS heap (the WASM memory is capped by the module itself). */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 }

export class WorkerPool {
  private readonly slots = new Set<Slot>()
  private spareSlot: Slot | undefined
  private readonly queue: Job[] = []
  private readonly registrations: WorkerRegisterMessage[] = []
  private closed = false
  private bootFailures = 0

  private constructor(
    private readonly size: number,
    private readonly options: WorkerPoolOptions,
  ) {}

  /** Starts `size` workers and the spare, and waits until each is ready. */
  static async start(size: number, options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(size, options)
    await Promise.all([...Array.from({ length: size }, () => pool.spawn(false)), pool.spawn(true)])
    return pool
  }

  /** Hands a package to every worker, now and to each one started later. */
  register(message: WorkerRegisterMessage): void {
    this.registrations.push(message)
    for (const slot of this.slots) slot.worker.postMessage(message)
    this.spareSlot?.worker.postMessage(message)
  }

  /** Workers serving calls now, the spare aside (for tests and metrics). */
  get workerCount(): number {
    return this.slots.size
  }

  /**
   * Runs one call; resolves with how it ended, never rejects. `timeoutMs` counts from
   * the moment a worker takes the call; waiting for a free worker is bounded by `signal`.
   */
  run(
    message: WorkerRunMessage,
    signal: AbortSignal,
    timeoutMs: number,
    hostCall?: HostCallHandler,
  ): Promise<PoolOutcome> {
    if (this.closed) return Promise.resolve({ kind: 'closed' })
    if (signal.aborted) return Promise.resolve({ kind: 'cancelled' })
    return new Promise<PoolOutcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const stop = (outcome: PoolOutcome): void => {
        // The instance may be mid-call: only terminating its thread stops it.
        if (job.slot) this.retire(job.slot)
        else this.unqueue(job)
        job.settle(outcome)
      }
      const onAbort = (): void => stop({ kind: 'cancelled' })
      let settled = false
      const job: Job = {
        message,
        hostCall,
        started: () => {
          timer = setTimeout(() => stop({ kind: 'timeout' }), timeoutMs)
        },
        settle: (outcome) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          job.slot = undefined
          job.ended?.abort()
          resolve(outcome)
        },
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.queue.push(job)
      this.dispatch()
    })
  }

  private unqueue(job: Job): void {
    const index = this.queue.indexOf(job)
    if (index >= 0) this.queue.splice(index, 1)
  }

  /** Terminates every worker; queued and running calls end `closed`. */
  async close(): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) job.settle({ kind: 'closed' })
    const all = this.spareSlot ? [...this.slots, this.spareSlot] : [...this.slots]
    const exits = all.map((slot) => {
      slot.job?.settle({ kind: 'closed' })
      slot.retired = true
      return slot.worker.terminate()
    })
    this.slots.clear()
    this.spareSlot = undefined
    await Promise.all(exits)
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return
      if (!slot.ready || slot.job || slot.retired) continue
      const job = this.queue.shift() as Job
      slot.job = job
      job.slot = slot
      const { stdin } = job.message
      // The input buffer moves to the worker instead of being copied.
      const transfer = stdin.byteOffset === 0 && stdin.byteLength === stdin.buffer.byteLength
      const message = { ...job.message, poll: this.queue.length === 0 }
      slot.worker.postMessage(message, transfer ? [stdin.buffer as ArrayBuffer] : [])
      job.started()
    }
  }

  private retire(slot: Slot): void {
    if (slot.retired) return
    slot.retired = true
    this.slots.delete(slot)
    void slot.worker.terminate()
    if (this.closed) return
    // A replacement that fails to boot is handled (and retried) by `lost`.
    const spare = this.spareSlot
    if (spare?.ready) {
      spare.spare = false
      this.spareSlot = undefined
      this.slots.add(spare)
      this.dispatch()
      this.spawn(true).catch(() => undefined)
    } else {
      this.spawn(false).catch(() => undefined)
    }
  }

  /** Starts a worker: a member of the pool, or the spare. */
  private spawn(spare: boolean): Promise<void> {
    const channel = new SharedArrayBuffer(CHANNEL.HEADER_BYTES + this.options.hostCallLimitBytes)
    const workerData: WorkerData = { channel }
    const worker = new Worker(workerFile(), { resourceLimits: WORKER_LIMITS, workerData })
    const slot: Slot = { worker, channel, ready: false, retired: false, spare }
    if (spare) this.spareSlot = slot
    else this.slots.add(slot)
    // Port messages keep their order: every package is known before the first call.
    for (const registration of this.registrations) worker.postMessage(registration)
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return
        if (message.type === 'host-call') {
          this.answerHostCall(slot, message)
          return
        }
        if (message.type === 'ready') {
          slot.ready = true
          this.bootFailures = 0
          resolve()
        } else {
          const job = slot.job
          slot.job = undefined
          job?.settle({ kind: 'replied', reply: message })
        }
        this.dispatch()
      })
      worker.on('error', (error) => this.lost(slot, `worker error: ${error.message}`, reject))
      worker.on('exit', (code) => this.lost(slot, `worker exited with code ${code}`, reject))
    })
  }

  /** Runs the job's handler and wakes the worker with its answer (unless the call ended meanwhile). */
  private answerHostCall(slot: Slot, message: WorkerHostCallMessage): void {
    const job = slot.job
    if (!job) return
    const handler = job.hostCall ?? (() => Promise.resolve<HostCallAnswer>({ kind: 'denied' }))
    job.ended ??= new AbortController()
    handler(message, job.ended.signal)
      .catch((): HostCallAnswer => ({ kind: 'failed', errno: ERRNO.IO }))
      .then((answer) => {
        if (slot.job !== job || slot.retired) return
        const words = new Int32Array(slot.channel, 0, 2)
        if (answer.kind === 'answered') {
          const room = slot.channel.byteLength - CHANNEL.HEADER_BYTES
          if (answer.bytes.byteLength > room) {
            Atomics.store(words, 1, ERRNO.FBIG)
            Atomics.store(words, 0, CHANNEL.FAILED)
          } else {
            new Uint8Array(slot.channel, CHANNEL.HEADER_BYTES).set(answer.bytes)
            Atomics.store(words, 1, answer.bytes.byteLength)
            Atomics.store(words, 0, CHANNEL.ANSWERED)
          }
        } else if (answer.kind === 'failed') {
          Atomics.store(words, 1, answer.errno)
          Atomics.store(words, 0, CHANNEL.FAILED)
        } else {
          Atomics.store(words, 0, CHANNEL.DENIED)
        }
        Atomics.notify(words, 0)
      })
  }

  /** A worker died on its own (not retired): fail its call, replace it after a backoff. */
  private lost(slot: Slot, detail: string, rejectBoot: (error: Error) => void): void {
    if (slot.retired) return
    slot.retired = true
    this.slots.delete(slot)
    if (this.spareSlot === slot) this.spareSlot = undefined
    slot.job?.settle({ kind: 'crashed', detail })
    if (!slot.ready) {
      this.bootFailures++
      rejectBoot(new Error(`a module worker failed to start: ${detail}`))
    }
    void slot.worker.terminate()
    if (this.closed) return
    const backoffMs = RESPAWN_BACKOFF_MS[Math.min(this.bootFailures, RESPAWN_BACKOFF_MS.length - 1)]
    void delay(backoffMs)
      .then(() => {
        if (this.closed) return undefined
        if (this.slots.size < this.size) return this.spawn(false)
        return this.spareSlot ? undefined : this.spawn(true)
      })
      .catch(() => undefined)
  }
}
