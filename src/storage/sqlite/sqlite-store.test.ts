import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runStoreSuite } from '../store.case.js'
import { openSqliteDatabase } from './driver.js'
import { SqliteStore } from './sqlite-store.js'

const root = mkdtempSync(join(tmpdir(), 'aion-sqlite-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

runStoreSuite('SqliteStore', () => SqliteStore.open({ dataDir: join(root, 'suite') }))

describe('SqliteStore file and settings', () => {
  it('creates the data directory and aion.db inside it', async () => {
    const dataDir = join(root, 'nested', 'data')
    const store = await SqliteStore.open({ dataDir })
    await store.migrate()
    await store.close()
    expect(existsSync(join(dataDir, 'aion.db'))).toBe(true)
  })

  it('opens the file in WAL mode with a busy timeout, foreign keys and synchronous=NORMAL', () => {
    const database = openSqliteDatabase({ dataDir: join(root, 'pragmas'), busyTimeoutMs: 1234 })
    try {
      expect(database.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(database.pragma('busy_timeout', { simple: true })).toBe(1234)
      expect(database.pragma('foreign_keys', { simple: true })).toBe(1)
      expect(database.pragma('synchronous', { simple: true })).toBe(1)
    } finally {
      database.close()
    }
  })
})
