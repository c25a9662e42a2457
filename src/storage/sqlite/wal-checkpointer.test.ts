import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

  it('restarts the log under a steady stream of commits, so the log stays small', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aion-wal-'))
    dirs.push(dir)
    const restartFrames = 256
    const store = await SqliteStore.open({
      dataDir: dir,
      backgroundCheckpoint: { intervalMs: 20, restartFrames },
    })
    const request = { text: 'x'.repeat(4000) }
    let written = 0
    let batches = 0
    try {
      await store.migrate()
      // Commits back to back, one per turn of the event loop as in the server
      // (group commit): a passive checkpoint alone never catches up with them.
      const deadline = Date.now() + 1500
      while (Date.now() < deadline) {
        await new Promise((resolve) => setImmediate(resolve))
        const batch = batches++
        await store.transaction(async (tx) => {
          for (let i = 0; i < 10; i++) {
            await tx.tasks.create({ task_id: `tsk_s_${batch}_${i}`, intent: 'summarize', request })
          }
        })
        written += 10 * request.text.length
      }
      const wal = sizeOf(dir, `${SQLITE_FILE_NAME}-wal`)
      expect(written).toBeGreaterThan(8 * restartFrames * 4096)
      // Without restarts the log holds every byte written (and more: whole pages, indexes).
      expect(wal).toBeLessThan(written / 4)
      const { items } = await store.tasks.list('default', { limit: 20 })
      expect(items.length).toBe(20)
    } finally {
      await store.close()
    }
    const again = await SqliteStore.open({ dataDir: dir })
    try {
      const last = await again.tasks.get('default', `tsk_s_${batches - 1}_9`)
      expect(last?.request).toEqual(request)
    } finally {
      await again.close()
    }
  })
})
