/**
 * Checkpoints a SQLite database's write-ahead log from a worker thread. With
 * SQLite's automatic checkpoints, the commit that crosses the WAL threshold
 * copies the log into the database on the event loop (measured: about half of
 * the commits' cost under load); here the store's connection never checkpoints
 * and a second connection on another thread does it in the background. When
 * the log has grown past `restartFrames`, the thread asks for the store's
 * write transactions to be held (its {@link WriteGate}) while it restarts the
 * log (see wal-checkpoint-worker.js for why).
 */
import { Worker } from 'node:worker_threads'
import type Sqlite from 'better-sqlite3'
import type { WriteGate } from './write-gate.js'

/** Options of {@link WalCheckpointer.start}. */
export interface WalCheckpointerOptions {
  /**
   * How often the log is checkpointed.
   * @default 200
   */
  readonly intervalMs?: number
  /**
   * Log length (frames, one page each) from which the log is restarted, the
   * writes held meanwhile.
   * @default 4096 (16 MiB of 4 KiB pages)
   */
  readonly restartFrames?: number
  /**
   * How long a restart waits for readers still on the log before it gives up
   * (the writes are held meanwhile); the next round tries again.
   * @default 20
   */
  readonly restartBusyMs?: number
  /**
   * Longest the writes are held for a restart; past it they go on, and a
   * restart that has not begun yet (the running transactions had not ended) is
   * called off until the next round.
   * @default 2000
   */
  readonly maxHoldMs?: number
}

/** SQLite's own default threshold, restored when the background thread cannot run. */
const AUTOCHECKPOINT_PAGES = 1000

export class WalCheckpointer {
  private constructor(
    private readonly worker: Worker,
    private readonly database: Sqlite.Database,
    private readonly gate: WriteGate,
  ) {}

  /**
   * Turns the connection's automatic checkpoints off and starts the thread;
   * when the thread cannot start, automatic checkpoints stay on and this
   * resolves undefined. `gate` is what the store's write transactions pass.
   */
  static async start(
    database: Sqlite.Database,
    gate: WriteGate,
    options: WalCheckpointerOptions = {},
  ): Promise<WalCheckpointer | undefined> {
    const worker = new Worker(new URL('./wal-checkpoint-worker.js', import.meta.url), {
      workerData: {
        file: database.name,
        intervalMs: options.intervalMs ?? 200,
        restartFrames: options.restartFrames ?? 4096,
        restartBusyMs: options.restartBusyMs ?? 20,
      },
    })
    const ready = await new Promise<boolean>((resolve) => {
      worker.once('message', (message: { type?: string }) => resolve(message.type === 'ready'))
      worker.once('error', () => resolve(false))
    })
    if (!ready) {
      await worker.terminate()
      return undefined
    }
    const checkpointer = new WalCheckpointer(worker, database, gate)
    checkpointer.serveHolds(options.maxHoldMs ?? 2000)
    // The thread keeps no event loop of the process alive on its own.
    worker.unref()
    database.pragma('wal_autocheckpoint = 0')
    return checkpointer
  }

  /**
   * Holds the writes while the thread restarts the log, never longer than
   * `maxHoldMs`: past it they go on, and a restart whose writes were not held
   * in time is called off (it would otherwise make the writer wait on SQLite's
   * busy handler, which blocks the event loop).
   */
  private serveHolds(maxHoldMs: number): void {
    let limit: NodeJS.Timeout | undefined
    let holding = false
    const release = (): void => {
      clearTimeout(limit)
      holding = false
      this.gate.open()
    }
    this.worker.on('message', (message: { type?: string }) => {
      if (message.type === 'hold') {
        holding = true
        limit = setTimeout(release, maxHoldMs)
        limit.unref()
        void this.gate.close().then(() => this.worker.postMessage({ type: 'held', held: holding }))
      } else if (message.type === 'release') {
        release()
      }
    })
    this.worker.once('exit', release)
  }

  /** Stops the thread after a last checkpoint; automatic checkpoints come back on. */
  async stop(): Promise<void> {
    // Referenced again while it stops: the unreferenced thread's answer kept
    // nothing alive, so a process whose only work left was this stop (a start
    // that failed) ended with the await unsettled, exit code 13 and no word.
    this.worker.ref()
    const stopped = new Promise<void>((resolve) => {
      this.worker.on('message', (message: { type?: string }) => {
        if (message.type === 'stopped') resolve()
      })
      this.worker.once('exit', () => resolve())
    })
    this.worker.postMessage({ type: 'stop' })
    await stopped
    await this.worker.terminate()
    this.gate.open()
    if (this.database.open) this.database.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`)
  }
}
