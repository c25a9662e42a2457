/**
 * The WAL checkpointer's thread (plain JavaScript, so it loads the same way
 * from TypeScript source and from compiled output): its own connection to the
 * store's file checkpoints the write-ahead log every `intervalMs`, so the
 * copying of WAL pages into the database never runs inside a commit on the
 * event loop. PASSIVE never blocks the writer.
 *
 * Under a steady stream of commits a PASSIVE checkpoint never catches up with
 * the last frame, and SQLite restarts the log only when one has: the log would
 * grow without bound (gigabytes a minute at full load), and commits that
 * append to an ever longer file cost about three times those that overwrite a
 * restarted one. So once the log holds `restartFrames` frames, the thread asks
 * the store to hold its write transactions (the event loop keeps serving;
 * writes wait in memory), checkpoints the rest with RESTART — the next commit
 * then writes from the start of the file again — and lets the writes go. It
 * does not while a reader pins an old part of the log (see `round`).
 *
 * On `stop` it checkpoints once more and closes.
 */
import { clearTimeout, setTimeout } from 'node:timers'
import { parentPort, workerData } from 'node:worker_threads'
import Sqlite from 'better-sqlite3'

const { file, intervalMs, restartFrames, restartBusyMs } = workerData
const database = new Sqlite(file)
// Only RESTART waits (for readers still on the log); it gives up soon, and the
// next round tries again.
database.pragma(`busy_timeout = ${restartBusyMs}`)

/** @returns {{ busy: number, log: number, checkpointed: number } | undefined} */
function checkpoint(mode) {
  try {
    return database.pragma(`wal_checkpoint(${mode})`)[0]
  } catch (error) {
    parentPort?.postMessage({ type: 'error', message: String(error?.message ?? error) })
    return undefined
  }
}

/** Answers a hold request: whether the store holds its writes now. */
let held
/** @type {NodeJS.Timeout | undefined} */
let timer
let stopping = false

async function round() {
  const result = checkpoint('PASSIVE')
  // `log` is the length the checkpoint saw; commits made while it ran are beyond
  // it. A checkpoint that could not copy all it saw was stopped by a reader still
  // on an old part of the log (another process, say): a restart would wait for
  // that reader with the writes held, so none is tried until it has gone.
  const pinned = !result || result.checkpointed < result.log
  if (result && result.log >= restartFrames && !pinned && !stopping) {
    const paused = new Promise((resolve) => {
      held = resolve
    })
    parentPort?.postMessage({ type: 'hold' })
    if ((await paused) && !stopping) checkpoint('RESTART')
    parentPort?.postMessage({ type: 'release' })
  }
  if (!stopping) timer = setTimeout(() => void round(), intervalMs)
}

timer = setTimeout(() => void round(), intervalMs)
parentPort?.on('message', (message) => {
  if (message?.type === 'held') {
    held?.(message.held === true)
    held = undefined
    return
  }
  if (message?.type !== 'stop') return
  stopping = true
  clearTimeout(timer)
  held?.(false)
  checkpoint('PASSIVE')
  database.close()
  parentPort?.postMessage({ type: 'stopped' })
  parentPort?.close()
})
parentPort?.postMessage({ type: 'ready' })
