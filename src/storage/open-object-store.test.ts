import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Secret } from '../core/secret.js'
import { freePort } from '../../test/support/registry.js'
import { LocalDirectoryObjectStore } from './local/local-directory-object-store.js'
import { openObjectStore } from './open-object-store.js'

const dataDir = mkdtempSync(join(tmpdir(), 'aion-open-objects-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('openObjectStore', () => {
  it('keeps objects in <dataDir>/objects when S3 is not configured', async () => {
    const opened = await openObjectStore({ dataDir })
    expect(opened.engine).toBe('local')
    expect(opened.objects).toBeInstanceOf(LocalDirectoryObjectStore)
    await opened.objects.put('packages/p', Buffer.from('p'))
    expect(existsSync(join(dataDir, 'objects', 'packages', 'p~'))).toBe(true)
    await opened.close()
  })

  it('opens the configured bucket, failing at once when its server is down', async () => {
    const port = await freePort()
    const s3 = {
      endpoint: `http://127.0.0.1:${port}`,
      bucket: 'aion-objects',
      region: 'us-east-1',
      credentials: { accessKeyId: 'aion', secretAccessKey: new Secret('aion-secret') },
    }
    await expect(openObjectStore({ dataDir, s3 })).rejects.toMatchObject({
      code: 'AION_OBJECT_STORE_UNAVAILABLE',
      message: expect.stringContaining('checking bucket aion-objects'),
    })
  })
})
