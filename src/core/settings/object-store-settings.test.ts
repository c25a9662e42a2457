import { describe, expect, it } from 'vitest'
import { SettingsInvalidError, type SettingsProblem } from '../errors/index.js'
import { loadSettings } from './load-settings.js'

function problemsOf(env: Record<string, string>): readonly SettingsProblem[] {
  try {
    loadSettings(env, { cwd: '/srv/aion' })
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsInvalidError)
    return (error as InstanceType<typeof SettingsInvalidError>).fields.problems
  }
  throw new Error('expected loadSettings to reject the environment')
}

const minio = {
  AION_S3_ENDPOINT: 'http://127.0.0.1:9000/',
  AION_S3_BUCKET: 'aion-objects',
  AION_S3_ACCESS_KEY_ID: 'aion-dev',
  AION_S3_SECRET_ACCESS_KEY: 'hunter2-secret',
}

describe('the S3 object store settings', () => {
  it('are absent when no AION_S3_* is set: objects stay in the data directory', () => {
    expect(loadSettings({}, { cwd: '/srv/aion' }).s3).toBeUndefined()
    expect(loadSettings({ AION_S3_REGION: 'eu-west-1' }, { cwd: '/srv/aion' }).s3).toBeUndefined()
  })

  it('read an S3-API server, its bucket and key pair; the secret redacts itself', () => {
    const s3 = loadSettings(minio, { cwd: '/srv/aion' }).s3
    expect(s3).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'aion-objects',
      region: 'us-east-1',
      credentials: { accessKeyId: 'aion-dev' },
    })
    expect(s3?.credentials?.secretAccessKey.reveal()).toBe('hunter2-secret')
    expect(JSON.stringify(s3)).not.toContain('hunter2')
  })

  it('take AWS S3 of a region when only the bucket is set, with the SDK default credentials', () => {
    const env = { AION_S3_BUCKET: 'aion-objects', AION_S3_REGION: 'eu-central-1' }
    expect(loadSettings(env, { cwd: '/srv/aion' }).s3).toEqual({
      endpoint: undefined,
      bucket: 'aion-objects',
      region: 'eu-central-1',
      credentials: undefined,
    })
  })

  it('name the bucket when the endpoint or keys come without it', () => {
    expect(problemsOf({ AION_S3_ENDPOINT: 'http://127.0.0.1:9000' })).toEqual([
      {
        variable: 'AION_S3_BUCKET',
        message: expect.stringMatching(/^must be set when AION_S3_ENDPOINT is \(/),
      },
    ])
    const { AION_S3_BUCKET: _bucket, ...noBucket } = minio
    const [problem] = problemsOf(noBucket)
    expect(problem?.message).toContain(
      'AION_S3_ENDPOINT, AION_S3_ACCESS_KEY_ID, AION_S3_SECRET_ACCESS_KEY are',
    )
  })

  it('want both halves of the key pair', () => {
    const { AION_S3_SECRET_ACCESS_KEY: _secret, ...noSecret } = minio
    expect(problemsOf(noSecret)).toEqual([
      {
        variable: 'AION_S3_SECRET_ACCESS_KEY',
        message: 'must be set together with AION_S3_ACCESS_KEY_ID',
      },
    ])
  })

  it('refuse a malformed endpoint or bucket, never echoing the value', () => {
    const problems = problemsOf({
      ...minio,
      AION_S3_ENDPOINT: 'http://root:hunter2@127.0.0.1:9000',
      AION_S3_BUCKET: 'Aion_Objects',
    })
    expect(problems.map((p) => p.variable).sort()).toEqual(['AION_S3_BUCKET', 'AION_S3_ENDPOINT'])
    expect(JSON.stringify(problems)).not.toContain('hunter2')
    expect(problemsOf({ ...minio, AION_S3_ENDPOINT: 's3.local:9000' })).toEqual([
      { variable: 'AION_S3_ENDPOINT', message: 'must start with http:// or https://' },
    ])
    expect(problemsOf({ ...minio, AION_S3_ENDPOINT: 'http://127.0.0.1:9000/bucket' })).toEqual([
      {
        variable: 'AION_S3_ENDPOINT',
        message: 'must be scheme://host[:port] only (the bucket is AION_S3_BUCKET)',
      },
    ])
  })
})

describe('the object retention settings', () => {
  it('expire nothing by default and sweep hourly', () => {
    expect(loadSettings({}, { cwd: '/srv/aion' }).objectRetention).toEqual({
      rules: [],
      sweepIntervalMs: 3600000,
    })
  })

  it('read prefix=days pairs', () => {
    const env = { AION_OBJECT_RETENTION: 'quarantine/=30,assets/raw/=7' }
    expect(loadSettings(env, { cwd: '/srv/aion' }).objectRetention.rules).toEqual([
      { prefix: 'quarantine/', maxAgeMs: 30 * 86_400_000 },
      { prefix: 'assets/raw/', maxAgeMs: 7 * 86_400_000 },
    ])
  })

  it('name each bad pair', () => {
    expect(problemsOf({ AION_OBJECT_RETENTION: 'quarantine/=30, assets/=7' })).toEqual([
      { variable: 'AION_OBJECT_RETENTION', message: expect.stringMatching(/prefix=days pairs/) },
    ])
    expect(
      problemsOf({ AION_OBJECT_RETENTION: '/abs=1,a/../b=1,tmp/=0,q/=1,q/=2' }).map(
        (problem) => problem.message,
      ),
    ).toEqual([
      'prefix /abs has an empty segment',
      'prefix a/../b has a . or .. segment',
      'tmp/ keeps objects 0 days: write 1 or more',
      'q/ is listed twice',
    ])
  })
})
