import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Sqlite from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { SQLITE_FILE_NAME } from './driver.js'
import { SqliteStore } from './sqlite-store.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Writes enough tasks to fill a few hundred WAL pages. */
async function fill(store: SqliteStore, prefix: string): Promise<void> {
  const request = { text: 'x'.repeat(2000) }
  await store.transaction(async (tx) => {
    for (let i = 0; i < 400; i++) {
      await tx.tasks.create({ task_id: `${prefix}${i}`, intent: 'summarize', request })
    }
  })
}

const sizeOf = (dir: string, name: string) => statSync(join(dir, name)).size

/**
 * Commits batches of ten 4 KB tasks back to back for `ms`, one per turn of the
 * event loop as in the server (group commit); resolves with the bytes written.
 */
async function writeFor(store: SqliteStore, prefix: string, ms: number): Promise<number> {
  const request = { text: 'x'.repeat(4000) }
  let written = 0
  const deadline = Date.now() + ms
  for (let batch = 0; Date.now() < deadline; batch++) {
    await new Promise((resolve) => setImmediate(resolve))
    await store.transaction(async (tx) => {
      for (let i = 0; i < 10; i++) {
        await tx.tasks.create({ task_id: `${prefix}${batch}_${i}`, intent: 'summarize', request })
      }
    })
    written += 10 * request.text.length
  }
  return written
}

/**
 * Whether a restart of the log is seen within `timeoutMs` of writing: after a
 * restart the log is written from its start again, so a stretch of writes no
 * longer grows the file, where without one every stretch does. (On a busy
 * machine the checkpointer may need a while to copy the backlog first.)
 */
async function restartSeen(store: SqliteStore, dir: string, prefix: string, timeoutMs: number) {
  const wal = () => sizeOf(dir, `${SQLITE_FILE_NAME}-wal`)
  const deadline = Date.now() + timeoutMs
  for (let slice = 0; Date.now() < deadline; slice++) {
    const before = wal()
    const written = await writeFor(store, `${prefix}${slice}_`, 200)
    if (written > 0 && wal() === before) return true
  }
  return false
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}

describe('background WAL checkpoints', () => {
  it('moves committed pages into the database file off the event loop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aion-wal-'))
    dirs.push(dir)
    const store = await SqliteStore.open({ dataDir: dir, backgroundCheckpoint: true })
    try {
      expect(store.checkpointsInBackground).toBe(true)
      await store.migrate()
      const before = sizeOf(dir, SQLITE_FILE_NAME)
      await fill(store, 'tsk_bg_')
      // The store's own commits never checkpoint; the thread does, within its interval.
      expect(await until(() => sizeOf(dir, SQLITE_FILE_NAME) > before + 400 * 2000, 5000)).toBe(
        true,
      )
      expect((await store.tasks.get('default', 'tsk_bg_399'))?.request).toEqual({
        text: 'x'.repeat(2000),
      })
    } finally {
      await store.close()
    }
    // Reopened, the data is all there.
    const again = await SqliteStore.open({ dataDir: dir })
    try {
      expect((await again.tasks.list('default', { limit: 1000 })).items).toHaveLength(400)
      expect(again.checkpointsInBackground).toBe(false)
    } finally {
      await again.close()
    }
  })

  it('restarts the log under a steady stream of commits, so the log stops growing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aion-wal-'))
    dirs.push(dir)
    const restartFrames = 256
    const store = await SqliteStore.open({
      dataDir: dir,
      backgroundCheckpoint: { intervalMs: 20, restartFrames },
    })
    try {
      await store.migrate()
      // A passive checkpoint alone never catches up with commits made back to back.
      const written = await writeFor(store, 'tsk_s_', 1500)
      expect(written).toBeGreaterThan(8 * restartFrames * 4096)
      // Still writing back to back, the log restarts: a stretch of writes stops growing it
      // (without restarts every stretch grows it: the log holds every byte written).
      expect(await restartSeen(store, dir, 'tsk_t', 20_000)).toBe(true)
    } finally {
      await store.close()
    }
    const again = await SqliteStore.open({ dataDir: dir })
    try {
      const { items } = await again.tasks.list('default', { limit: 20 })
      expect(items).toHaveLength(20)
      expect(items[0]?.request).toEqual({ text: 'x'.repeat(4000) })
    } finally {
      await again.close()
    }
  })

  it('keeps writing while another connection reads an old snapshot, and restarts once it is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aion-wal-'))
    dirs.push(dir)
    const store = await SqliteStore.open({
      dataDir: dir,
      backgroundCheckpoint: { intervalMs: 20, restartFrames: 256 },
    })
    const reader = new Sqlite(join(dir, SQLITE_FILE_NAME), { readonly: true })
    try {
      await store.migrate()
      await writeFor(store, 'tsk_a_', 200)
      // Another process's long read: its snapshot pins the log, so no restart can succeed.
      const count = reader.prepare('select count(*) from tasks').pluck()
      reader.exec('begin')
      const seen = count.get() as number
      const during = await writeFor(store, 'tsk_b_', 600)
      expect(during).toBeGreaterThan(0)
      expect(count.get()).toBe(seen)
      reader.exec('commit')
      // Once the reader is gone a restart succeeds.
      expect(await restartSeen(store, dir, 'tsk_c', 20_000)).toBe(true)
      expect(count.get()).toBeGreaterThan(seen)
    } finally {
      reader.close()
      await store.close()
    }
  })
})
