/**
 * The S3 object store as an operator meets it (issue 14 §4): with AION_S3_*
 * set, `aionctl install` stores the package archive in the bucket under the
 * tenant's prefix, the server starts on the same bucket, and a start whose
 * S3 server is down says so on one line instead of failing later.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { S3ObjectStore } from '../src/storage/s3/index.js'
import { describeWithEngine } from './support/engines.js'
import { freePort, probeRegistry, startRegistry, stopRegistries } from './support/registry.js'
import { probeS3Proxy, S3PROXY_START_TIMEOUT_MS, startS3, type TestS3 } from './support/s3proxy.js'
import {
  aionctl,
  cleanUpProcesses,
  spawnServer,
  startServer,
  tempDir,
} from './support/server-process.js'

const ECHO = 'test/fixtures/modules/subprocess/echo'

afterAll(cleanUpProcesses)

/** The stderr lines besides the JSON log and Node's warnings (the AWS SDK warns on Node 20). */
function plainLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('omertaos:') || line.startsWith('aionctl:'))
}

describe('a start whose S3 server is down', () => {
  it('prints one line naming the bucket and exits 1', async () => {
    const port = await freePort()
    const server = spawnServer({
      AION_HOST: '127.0.0.1',
      AION_PORT: '0',
      AION_DATA_DIR: tempDir(),
      AION_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      AION_S3_BUCKET: 'aion-objects',
      AION_S3_ACCESS_KEY_ID: 'aion',
      AION_S3_SECRET_ACCESS_KEY: 'aion-secret',
    })
    expect(await server.exited).toBe(1)
    const lines = plainLines(server.stderr())
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^omertaos: cannot start: AION_OBJECT_STORE_UNAVAILABLE: /)
    expect(lines[0]).toContain('checking bucket aion-objects')
    expect(server.stderr()).not.toContain('aion-secret')
  })
})

describeWithEngine('S3Proxy', probeS3Proxy(), (source) => {
  let s3: TestS3
  let env: Record<string, string>
  const bucket = `aion-e2e-${Date.now().toString(36)}`
  beforeAll(async () => {
    s3 = await startS3(source)
    env = {
      AION_DATA_DIR: tempDir(),
      AION_S3_ENDPOINT: s3.endpoint,
      AION_S3_BUCKET: bucket,
      AION_S3_ACCESS_KEY_ID: s3.accessKeyId,
      AION_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    }
  }, S3PROXY_START_TIMEOUT_MS)
  afterAll(async () => {
    await stopRegistries()
    await s3?.dispose()
  })

  it('the server creates the bucket at start and logs the engine', async () => {
    const server = await startServer(env)
    expect(server.stdoutLog()).toMatch(
      /"engine":"s3","bucket":"aion-e2e-[a-z0-9]+","msg":"object store opened"/,
    )
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    const store = await S3ObjectStore.open({
      endpoint: s3.endpoint,
      bucket,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      createBucket: false,
    })
    store.close()
  })

  describeWithEngine('docker-registry', probeRegistry(), () => {
    it('aionctl install keeps the archive in the bucket, under the tenant', async () => {
      const registry = await startRegistry()
      const archive = join(tempDir('aion-s3-pack-'), 'echo.tar.gz')
      expect(aionctl(['pack', ECHO, '-o', archive]).code).toBe(0)
      const reference = `${registry.host}/aion/echo:1.0.0`
      const pushed = aionctl(['push', archive, reference])
      expect(pushed.code, pushed.stderr).toBe(0)
      const installEnv = { ...env, AION_MODULES_DIR: tempDir(), AION_ALLOW_UNSIGNED: 'true' }
      const installed = aionctl(['install', reference, '--json'], installEnv)
      expect(installed.code, installed.stderr).toBe(0)
      expect(JSON.parse(installed.stdout)).toMatchObject({ status: 'installed', name: 'echo' })

      const hex = createHash('sha256').update(readFileSync(archive)).digest('hex')
      const store = await S3ObjectStore.open({
        endpoint: s3.endpoint,
        bucket,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        tenantId: 'default',
        createBucket: false,
      })
      try {
        const info = await store.head(`packages/sha256/${hex}.tar.gz`)
        expect(info).toMatchObject({
          digest: `sha256:${hex}`,
          metadata: { name: 'echo', version: '1.0.0' },
        })
        expect(store.keyPrefix).toBe('tenants/default/')
      } finally {
        store.close()
      }
    })
  })
})
