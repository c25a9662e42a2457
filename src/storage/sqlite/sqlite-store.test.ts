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

describe('SqliteStore API-key cache', () => {
  const key = (keyId: string) => ({
    tenantId: 't_cache',
    keyId,
    secretHash: 'h',
    name: 'cache',
    scopes: ['tasks:write'],
  })

  // The lookups of one event-loop turn share one read of `data_version`; a
  // request that comes after the revocation is handled in a later turn.
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

  it('sees a revocation by another connection (another process) in the next turn', async () => {
    const dataDir = join(root, 'key-cache')
    const gateway = await SqliteStore.open({ dataDir })
    await gateway.migrate()
    const cli = await SqliteStore.open({ dataDir })
    try {
      await cli.apiKeys.create(key('key_cross'))
      expect((await gateway.apiKeys.findById('key_cross'))?.revokedAt).toBeNull()
      expect((await gateway.apiKeys.findById('key_cross'))?.revokedAt).toBeNull() // now cached
      await cli.apiKeys.revoke('t_cache', 'key_cross', '2026-01-02T03:04:05.000Z')
      // Within the turn of the revocation the key is still as read ...
      expect((await gateway.apiKeys.findById('key_cross'))?.revokedAt).toBeNull()
      await nextTurn()
      // ... and revoked from the next one on.
      expect((await gateway.apiKeys.findById('key_cross'))?.revokedAt).toBe(
        '2026-01-02T03:04:05.000Z',
      )
      // A key created elsewhere after a miss is found too.
      expect(await gateway.apiKeys.findById('key_later')).toBeUndefined()
      await cli.apiKeys.create(key('key_later'))
      await nextTurn()
      expect((await gateway.apiKeys.findById('key_later'))?.keyId).toBe('key_later')
    } finally {
      await cli.close()
      await gateway.close()
    }
  })

  it('sees its own writes at once, inside a transaction too', async () => {
    const store = await SqliteStore.open({ dataDir: join(root, 'key-cache-own') })
    await store.migrate()
    try {
      await store.apiKeys.create(key('key_own'))
      expect((await store.apiKeys.findById('key_own'))?.revokedAt).toBeNull()
      await store.transaction((tx) =>
        tx.apiKeys.revoke('t_cache', 'key_own', '2026-01-02T00:00:00.000Z'),
      )
      expect((await store.apiKeys.findById('key_own'))?.revokedAt).toBe('2026-01-02T00:00:00.000Z')
    } finally {
      await store.close()
    }
  })
})
