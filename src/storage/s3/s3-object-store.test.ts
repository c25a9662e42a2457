import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeWithEngine } from '../../../test/support/engines.js'
import { freePort } from '../../../test/support/registry.js'
import {
  probeS3Proxy,
  S3PROXY_START_TIMEOUT_MS,
  startS3,
  type TestS3,
} from '../../../test/support/s3proxy.js'
import { objectStoreCases } from '../cases/object-store.case.js'
import { sweepObjects } from '../objects/retention-sweeper.js'
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store.js'

const probe = probeS3Proxy()
const runId = randomBytes(4).toString('hex')

describeWithEngine('S3Proxy', probe, (source) => {
  let s3: TestS3
  const stores: S3ObjectStore[] = []
  const spillDir = mkdtempSync(join(tmpdir(), 'aion-s3-spill-'))
  beforeAll(async () => {
    s3 = await startS3(source)
  }, S3PROXY_START_TIMEOUT_MS)
  afterAll(async () => {
    for (const store of stores) store.close()
    await s3?.dispose()
    rmSync(spillDir, { recursive: true, force: true })
  })

  let tenants = 0
  const open = async (options: Partial<S3ObjectStoreOptions> = {}) => {
    const store = await S3ObjectStore.open({
      endpoint: s3.endpoint,
      bucket: `aion-test-${runId}`,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      // Each store a tenant of its own: the shared cases want an empty store.
      tenantId: `t${++tenants}`,
      maxAttempts: 1,
      spillDir,
      ...options,
    })
    stores.push(store)
    return store
  }

  describe('S3ObjectStore', () => {
    objectStoreCases(() => open())

    it('keeps each tenant under its own prefix of the bucket', async () => {
      const a = await open({ tenantId: 'acme' })
      const b = await open({ tenantId: 'globex' })
      await a.put('packages/p.tar.gz', Buffer.from('acme bytes'))
      expect(await b.exists('packages/p.tar.gz')).toBe(false)
      expect(await b.list('')).toEqual([])
      expect(a.keyPrefix).toBe('tenants/acme/')
      // Another store of the same tenant (another process) sees it.
      const again = await open({ tenantId: 'acme' })
      expect((await again.list('packages/')).map((info) => info.key)).toEqual(['packages/p.tar.gz'])
      await expect(open({ tenantId: 'a/b' })).rejects.toMatchObject({
        code: 'AION_OBJECT_KEY_INVALID',
      })
    })

    it('spills a large streamed put to a file, sends it whole and removes the file', async () => {
      const store = await open({ memoryLimitBytes: 64 * 1024 })
      const chunks = Array.from({ length: 8 }, (_, i) => Buffer.alloc(48 * 1024, i + 1))
      const info = await store.put('big/spilled', Readable.from(chunks))
      expect(info.sizeBytes).toBe(8 * 48 * 1024)
      expect((await store.get('big/spilled'))?.body.equals(Buffer.concat(chunks))).toBe(true)
      expect(readdirSync(spillDir)).toEqual([])
    })

    it('leaves the old object when a streamed body fails half-way', async () => {
      const store = await open({ memoryLimitBytes: 16 })
      await store.put('k', Buffer.from('old'))
      async function* failing() {
        yield Buffer.from('part of the new bytes, past the memory limit')
        throw new Error('connection reset')
      }
      await expect(store.put('k', failing())).rejects.toMatchObject({
        code: 'AION_OBJECT_STORE_UNAVAILABLE',
        retryable: true,
      })
      expect((await store.get('k'))?.body.toString()).toBe('old')
      expect(readdirSync(spillDir)).toEqual([])
    })

    it('expires objects with the platform sweeper (S3Proxy has no lifecycle rules)', async () => {
      const store = await open()
      await store.put('quarantine/x/reason.json', Buffer.from('{}'))
      await store.put('packages/kept.tar.gz', Buffer.from('p'))
      const rules = [{ prefix: 'quarantine/', maxAgeMs: 60_000 }]
      expect((await sweepObjects(store, rules)).deleted).toEqual({ 'quarantine/': [] })
      const later = new Date(Date.now() + 120_000)
      expect((await sweepObjects(store, rules, later)).deleted).toEqual({
        'quarantine/': ['quarantine/x/reason.json'],
      })
      expect((await store.list('')).map((info) => info.key)).toEqual(['packages/kept.tar.gz'])
    })

    it('creates its bucket at open, or says which bucket is missing', async () => {
      const bucket = `aion-new-${runId}`
      const store = await open({ bucket })
      await store.put('x', Buffer.from('x'))
      expect(await store.exists('x')).toBe(true)
      await expect(
        open({ bucket: `aion-absent-${runId}`, createBucket: false }),
      ).rejects.toMatchObject({
        code: 'AION_OBJECT_STORE_UNAVAILABLE',
        message: expect.stringContaining(`bucket aion-absent-${runId} does not exist`),
      })
    })

    it('is unavailable (retryable) with refused credentials', async () => {
      await expect(
        open({ credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'wrong' } }),
      ).rejects.toMatchObject({
        code: 'AION_OBJECT_STORE_UNAVAILABLE',
        retryable: true,
        message: expect.stringMatching(/HTTP 403/),
      })
    })

    it(
      'is unavailable (retryable) while the server is down, and works again after',
      async () => {
        if (!s3.stoppable) return
        const store = await open()
        await store.put('before', Buffer.from('1'))
        await s3.stop()
        try {
          for (const call of [
            () => store.put('during', Buffer.from('2')),
            () => store.get('before'),
            () => store.list(''),
            () => store.delete('before'),
          ]) {
            await expect(call()).rejects.toMatchObject({
              code: 'AION_OBJECT_STORE_UNAVAILABLE',
              retryable: true,
            })
          }
        } finally {
          await s3.restart()
        }
        expect((await store.get('before'))?.body.toString()).toBe('1')
        expect(await store.exists('during')).toBe(false)
      },
      S3PROXY_START_TIMEOUT_MS,
    )
  })
})

describe('S3ObjectStore without a server', () => {
  it('fails to open with AION_OBJECT_STORE_UNAVAILABLE naming the bucket', async () => {
    const port = await freePort()
    await expect(
      S3ObjectStore.open({
        endpoint: `http://127.0.0.1:${port}`,
        bucket: 'aion-nowhere',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts: 1,
      }),
    ).rejects.toMatchObject({
      code: 'AION_OBJECT_STORE_UNAVAILABLE',
      retryable: true,
      message: expect.stringMatching(/checking bucket aion-nowhere: .*ECONNREFUSED/),
    })
  })
})
