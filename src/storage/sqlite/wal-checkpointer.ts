/**
 * Checkpoints a SQLite database's write-ahead log from a worker thread. With
 * SQLite's automatic checkpoints, the commit that crosses the WAL threshold
 * copies the log into the database on the event loop (measured: about half of
 * the commits' cost under load); here the store's connection never checkpoints
 * and a second connection on another thread does it in the background.
 */
import { Worker } from 'node:worker_threads'
import type Sqlite from 'better-sqlite3'

/** Options of {@link WalCheckpointer.start}. */
export interface WalCheckpointerOptions {
  /**
   * How often the log is checkpointed.
   * @default 200
   */
  readonly intervalMs?: number
  /** @default 5000 */
  readonly busyTimeoutMs?: number
}

/** SQLite's own default threshold, restored when the background thread cannot run. */
const AUTOCHECKPOINT_PAGES = 1000

export class WalCheckpointer {
  private constructor(
    private readonly worker: Worker,
    private readonly database: Sqlite.Database,
  ) {}

  /**
   * Turns the connection's automatic checkpoints off and starts the thread;
   * when the thread cannot start, automatic checkpoints stay on and this
   * resolves undefined.
   */
  static async start(
    database: Sqlite.Database,
    options: WalCheckpointerOptions = {},
  ): Promise<WalCheckpointer | undefined> {
    const worker = new Worker(new URL('./wal-checkpoint-worker.js', import.meta.url), {
      workerData: {
        file: database.name,
        intervalMs: options.intervalMs ?? 200,
        busyTimeoutMs: options.busyTimeoutMs ?? 5000,
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
    // The thread keeps no event loop of the process alive on its own.
    worker.unref()
    database.pragma('wal_autocheckpoint = 0')
    return new WalCheckpointer(worker, database)
  }

  /** Stops the thread after a last checkpoint; automatic checkpoints come back on. */
  async stop(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      this.worker.on('message', (message: { type?: string }) => {
        if (message.type === 'stopped') resolve()
      })
      this.worker.once('exit', () => resolve())
    })
    this.worker.postMessage({ type: 'stop' })
    await stopped
    await this.worker.terminate()
    if (this.database.open) this.database.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`)
  }
}
