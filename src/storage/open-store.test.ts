import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { StoreUnavailableError, UnsupportedDatabaseUrlError } from '../core/errors/index.js'
import { openStore } from './open-store.js'

const root = mkdtempSync(join(tmpdir(), 'aion-open-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('openStore', () => {
  it('opens SQLite in the data directory when no URL is given', async () => {
    const store = await openStore({ dataDir: join(root, 'data') })
    try {
      expect(store.engine).toBe('sqlite')
      expect((await store.migrate()).applied).toEqual([
        '0001_core_tables',
        '0002_task_leases',
        '0003_outbox_relay',
      ])
    } finally {
      await store.close()
    }
  })

  it('rejects other schemes without echoing the password', async () => {
    const open = openStore({ databaseUrl: 'mysql://admin:s3cret@db/x', dataDir: root })
    await expect(open).rejects.toBeInstanceOf(UnsupportedDatabaseUrlError)
    await expect(open).rejects.toThrow(/mysql:\/\/admin:\*\*\*@db\/x/)
    await expect(open).rejects.not.toThrow(/s3cret/)
  })

  it.each(['postgres', 'postgresql'])('chooses PostgreSQL for %s:// URLs', async (scheme) => {
    const open = openStore({ databaseUrl: `${scheme}://u@127.0.0.1:1/db`, dataDir: root })
    await expect(open).rejects.toBeInstanceOf(StoreUnavailableError)
    await expect(open).rejects.toMatchObject({ fields: { engine: 'postgres' } })
  })
})
