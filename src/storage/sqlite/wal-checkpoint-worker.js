/**
 * The WAL checkpointer's thread (plain JavaScript, so it loads the same way
 * from TypeScript source and from compiled output): its own connection to the
 * store's file checkpoints the write-ahead log every `intervalMs`, so the
 * copying of WAL pages into the database never runs inside a commit on the
 * event loop. PASSIVE never blocks the writer; on `stop` it checkpoints once
 * more and closes.
 */
import { clearInterval, setInterval } from 'node:timers'
import { parentPort, workerData } from 'node:worker_threads'
import Sqlite from 'better-sqlite3'

const { file, intervalMs, busyTimeoutMs } = workerData
const database = new Sqlite(file)
database.pragma(`busy_timeout = ${busyTimeoutMs}`)

function checkpoint(mode) {
  try {
    database.pragma(`wal_checkpoint(${mode})`)
  } catch (error) {
    parentPort?.postMessage({ type: 'error', message: String(error?.message ?? error) })
  }
}

const timer = setInterval(() => checkpoint('PASSIVE'), intervalMs)
parentPort?.on('message', (message) => {
  if (message?.type !== 'stop') return
  clearInterval(timer)
  checkpoint('PASSIVE')
  database.close()
  parentPort?.postMessage({ type: 'stopped' })
  parentPort?.close()
})
parentPort?.postMessage({ type: 'ready' })
