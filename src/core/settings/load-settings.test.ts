import { resolve } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { SettingsInvalidError, type SettingsProblem } from '../errors/index.js'
import { loadSettings } from './load-settings.js'

function problemsOf(env: Record<string, string | undefined>): readonly SettingsProblem[] {
  try {
    loadSettings(env, { cwd: '/srv/aion' })
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsInvalidError)
    const invalid = error as InstanceType<typeof SettingsInvalidError>
    expect(invalid.code).toBe('AION_CONFIG_INVALID')
    return invalid.fields.problems
  }
  throw new Error('expected loadSettings to reject the environment')
}

describe('loadSettings', () => {
  it('fills every default from the schema', () => {
    const settings = loadSettings({ PATH: '/usr/bin', HOME: '/root' }, { cwd: '/srv/aion' })
    expect(settings).toEqual({
      host: '127.0.0.1',
      port: 8080,
      dataDir: resolve('/srv/aion', '.aion'),
      databaseUrl: undefined,
      configDir: resolve('/srv/aion', 'config'),
      logLevel: 'info',
      shutdownTimeoutMs: 10000,
      gateway: {
        bodyLimitBytes: 1048576,
        jsonMaxDepth: 64,
        trustProxy: false,
        tls: undefined,
        devApiKey: true,
        idempotencyTtlMs: 86400000,
      },
      jwt: undefined,
      control: {
        queueCapacity: 1000,
        workers: { local: 8, api: 64, hybrid: 16 },
        taskTimeoutMs: 60000,
        taskLeaseMs: 30000,
        retryMax: 2,
        retryBaseMs: 100,
        breakerFailures: 5,
        breakerCooldownMs: 10000,
      },
      providers: {
        timeoutMs: 30000,
        openai: undefined,
        azure: undefined,
        vllm: undefined,
        ollama: undefined,
        hf: undefined,
      },
      client: { url: 'http://127.0.0.1:8080', apiKey: undefined },
      modules: {
        packagesDir: resolve('/srv/aion', 'modules'),
        sandboxUser: { uid: 65534, gid: 65534 },
        sandboxCgroupRoot: undefined,
        allowUnsandboxed: false,
        secrets: new Map(),
      },
      distribution: {
        authFile: '/root/.docker/config.json',
        logins: [],
        insecureRegistries: [],
        maxBlobBytes: 1073741824,
        timeoutMs: 30000,
        trustedKeys: [],
        allowUnsigned: false,
        egress: {
          allowLoopback: true,
          allowPrivate: false,
          localNetworks: ['127.0.0.0/8', '::1/128'],
        },
      },
      egress: {
        allowLoopback: true,
        allowPrivate: false,
        localNetworks: ['127.0.0.0/8', '::1/128'],
      },
      s3: undefined,
      objectRetention: { rules: [], sweepIntervalMs: 3600000 },
      events: { kafka: undefined, outboxRetentionMs: 86400000 },
    })
  })

  it('reads the egress settings and names every local network that is no CIDR', () => {
    const { egress } = loadSettings({
      AION_EGRESS_ALLOW_LOOPBACK: 'false',
      AION_EGRESS_ALLOW_PRIVATE: 'true',
      AION_LOCAL_NETWORKS: '10.0.0.0/8,fd00::/8',
    })
    expect(egress).toEqual({
      allowLoopback: false,
      allowPrivate: true,
      localNetworks: ['10.0.0.0/8', 'fd00::/8'],
    })
    expect(() => loadSettings({ AION_LOCAL_NETWORKS: '10.0.0.0/33,1.2.3.4' })).toThrow(
      expect.objectContaining({
        code: 'AION_CONFIG_INVALID',
        message: expect.stringContaining('AION_LOCAL_NETWORKS 10.0.0.0/33 is not a CIDR'),
      }),
    )
    expect(() => loadSettings({ AION_LOCAL_NETWORKS: '10.0.0.0/8, 1.2.3.4' })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('AION_LOCAL_NETWORKS') }),
    )
  })

  it('reads the distribution settings: credentials per registry, insecure hosts, keys', () => {
    const { distribution } = loadSettings(
      {
        HOME: '/home/op',
        AION_REGISTRY_AUTH_FILE: '~/auth.json',
        AION_REGISTRY_INSECURE: 'registry.lan:5000,Build.Local',
        AION_REGISTRY_MAX_BLOB_BYTES: '2048',
        AION_REGISTRY_TIMEOUT_MS: '500',
        AION_REGISTRY_PROD_HOST: 'Registry.Example.com',
        AION_REGISTRY_PROD_USERNAME: 'ci',
        AION_REGISTRY_PROD_PASSWORD: 's3cret',
        AION_TRUSTED_KEYS: 'keys/a.pub,~/b.pub',
        AION_ALLOW_UNSIGNED: 'true',
      },
      { cwd: '/srv/aion' },
    )
    expect(distribution.authFile).toBe('/home/op/auth.json')
    expect(distribution.insecureRegistries).toEqual(['registry.lan:5000', 'build.local'])
    expect(distribution.maxBlobBytes).toBe(2048)
    expect(distribution.timeoutMs).toBe(500)
    expect(distribution.logins).toHaveLength(1)
    expect(distribution.logins[0]?.host).toBe('registry.example.com')
    expect(distribution.logins[0]?.username).toBe('ci')
    expect(distribution.logins[0]?.password.reveal()).toBe('s3cret')
    expect(JSON.stringify(distribution)).not.toContain('s3cret')
    expect(distribution.trustedKeys).toEqual([resolve('/srv/aion', 'keys/a.pub'), '/home/op/b.pub'])
    expect(distribution.allowUnsigned).toBe(true)
  })

  it('takes the credentials file from DOCKER_CONFIG when AION_REGISTRY_AUTH_FILE is unset', () => {
    const { distribution } = loadSettings({ DOCKER_CONFIG: '/etc/docker-ci' }, { cwd: '/srv' })
    expect(distribution.authFile).toBe('/etc/docker-ci/config.json')
  })

  it('refuses incomplete registry credentials and malformed hosts, every problem together', () => {
    const problems = problemsOf({
      AION_REGISTRY_A_HOST: 'registry.example.com',
      AION_REGISTRY_A_USERNAME: 'ci',
      AION_REGISTRY_B_HOST: 'https://registry.example.com',
      AION_REGISTRY_B_USERNAME: 'ci',
      AION_REGISTRY_B_PASSWORD: 'x',
      AION_REGISTRY_INSECURE: 'http://lan',
      AION_REGISTRY_MAX_BLOB_BYTES: '12',
    })
    expect(problems).toEqual(
      expect.arrayContaining([
        { variable: 'AION_REGISTRY_A_*', message: 'needs AION_REGISTRY_A_PASSWORD as well' },
        {
          variable: 'AION_REGISTRY_B_HOST',
          message: 'must be host[:port] without a scheme or path',
        },
        {
          variable: 'AION_REGISTRY_INSECURE',
          message: 'must be comma-separated host[:port] names without spaces or schemes',
        },
        expect.objectContaining({ variable: 'AION_REGISTRY_MAX_BLOB_BYTES' }),
      ]),
    )
  })

  it('reads the sandbox settings and module secrets (wrapped, by name after the prefix)', () => {
    const settings = loadSettings({
      AION_SANDBOX_UID: '1500',
      AION_SANDBOX_GID: '1501',
      AION_SANDBOX_CGROUP_ROOT: '/aion',
      AION_SANDBOX_ALLOW_UNSANDBOXED: 'true',
      AION_MODULE_SECRET_OCR_TOKEN: 't0ken',
    })
    expect(settings.modules.sandboxUser).toEqual({ uid: 1500, gid: 1501 })
    expect(settings.modules.sandboxCgroupRoot).toBe('/aion')
    expect(settings.modules.allowUnsandboxed).toBe(true)
    expect(settings.modules.secrets.get('OCR_TOKEN')?.reveal()).toBe('t0ken')
    expect(JSON.stringify(settings.modules.secrets.get('OCR_TOKEN'))).not.toContain('t0ken')
  })

  it('resolves the packages directory against the working directory', () => {
    const modules = (dir: string) =>
      loadSettings({ AION_MODULES_DIR: dir }, { cwd: '/srv/aion' }).modules.packagesDir
    expect(modules('pkgs')).toBe(resolve('/srv/aion', 'pkgs'))
    expect(modules('/var/lib/aion/modules')).toBe('/var/lib/aion/modules')
  })

  it('refuses a root sandbox user, a relative cgroup root and a lower-case secret name', () => {
    const variables = problemsOf({
      AION_SANDBOX_UID: '0',
      AION_SANDBOX_CGROUP_ROOT: 'aion',
      AION_MODULE_SECRET_lower: 'x',
    }).map((p) => p.variable)
    expect(variables).toEqual(
      expect.arrayContaining([
        'AION_SANDBOX_UID',
        'AION_SANDBOX_CGROUP_ROOT',
        'AION_MODULE_SECRET_lower',
      ]),
    )
  })

  it('refuses provider URLs with credentials, a query or a fragment, never echoing them', () => {
    const problems = problemsOf({
      AION_OPENAI_BASE_URL: 'http://user:s3cret@127.0.0.1:9/v1',
      AION_AZURE_ENDPOINT: 'https://:s3cret@x.openai.azure.com',
      AION_VLLM_BASE_URL: 'http://127.0.0.1:8000/v1?key=s3cret',
      AION_OLLAMA_BASE_URL: 'http://u@127.0.0.1:11434/v1',
      AION_HF_BASE_URL: 'http://127.0.0.1:8080/v1#frag',
    })
    expect(problems.map((p) => p.variable).sort()).toEqual([
      'AION_AZURE_ENDPOINT',
      'AION_HF_BASE_URL',
      'AION_OLLAMA_BASE_URL',
      'AION_OPENAI_BASE_URL',
      'AION_VLLM_BASE_URL',
    ])
    const byVariable = new Map(problems.map((p) => [p.variable, p.message]))
    expect(byVariable.get('AION_OPENAI_BASE_URL')).toContain('put the key in AION_OPENAI_API_KEY')
    expect(byVariable.get('AION_OLLAMA_BASE_URL')).toContain('this provider takes no key')
    expect(byVariable.get('AION_VLLM_BASE_URL')).toBe('must not carry a query or a fragment')
    expect(JSON.stringify(problems)).not.toContain('s3cret')
  })

  it('configures a provider only when its variables are set, keeping keys secret', () => {
    const settings = loadSettings({
      AION_OPENAI_API_KEY: 'sk-test',
      AION_OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1',
      AION_AZURE_ENDPOINT: 'https://x.openai.azure.com',
      AION_OLLAMA_BASE_URL: 'http://127.0.0.1:11434/v1',
      AION_JWT_JWKS: 'jwks.json',
      AION_JWT_ALGORITHMS: 'ES256',
    })
    expect(settings.providers.openai?.baseUrl).toBe('http://127.0.0.1:9999/v1')
    expect(settings.providers.openai?.apiKey?.reveal()).toBe('sk-test')
    expect(JSON.stringify(settings)).not.toContain('sk-test')
    // An endpoint without its key leaves azure unconfigured.
    expect(settings.providers.azure).toBeUndefined()
    expect(settings.providers.ollama).toEqual({
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: undefined,
    })
    expect(settings.jwt).toMatchObject({ algorithms: ['ES256'], audience: 'omertaos' })
    expect(settings.jwt?.jwks).toMatch(/jwks\.json$/)
  })

  it('configures the Kafka relay only when brokers are set, with topic settings', () => {
    const settings = loadSettings(
      {
        AION_KAFKA_BROKERS: 'kafka-1:9092,10.0.0.2:19092',
        AION_KAFKA_TOPIC_PARTITIONS: '12',
        AION_KAFKA_RETENTION_DAYS: '30',
        AION_OUTBOX_RETENTION_MS: '60000',
      },
      { cwd: '/srv/aion' },
    )
    expect(settings.events).toEqual({
      kafka: {
        brokers: ['kafka-1:9092', '10.0.0.2:19092'],
        topicPartitions: 12,
        replicationFactor: undefined,
        retentionMs: 30 * 86_400_000,
        sasl: undefined,
        tls: undefined,
      },
      outboxRetentionMs: 60000,
    })
    expect(
      loadSettings({ AION_KAFKA_BROKERS: 'k:9092', AION_KAFKA_REPLICATION_FACTOR: '3' }).events
        .kafka,
    ).toMatchObject({ topicPartitions: 3, replicationFactor: 3, retentionMs: 7 * 86_400_000 })
    expect(problemsOf({ AION_KAFKA_BROKERS: 'kafka://k:9092, k2:9092' })).toEqual([
      {
        variable: 'AION_KAFKA_BROKERS',
        message: 'must be comma-separated host:port pairs without spaces or schemes',
      },
    ])
    expect(problemsOf({ AION_KAFKA_TOPIC_PARTITIONS: '0' })[0]?.variable).toBe(
      'AION_KAFKA_TOPIC_PARTITIONS',
    )
  })

  it('reads the Kafka SASL and TLS client settings, the password kept secret, and wants SASL whole', () => {
    const kafka = loadSettings(
      {
        AION_KAFKA_BROKERS: 'k:9093',
        AION_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        AION_KAFKA_SASL_USERNAME: 'relay',
        AION_KAFKA_SASL_PASSWORD: 'hunter2',
        AION_KAFKA_TLS_CA_FILE: 'certs/ca.pem',
      },
      { cwd: '/srv/aion' },
    ).events.kafka
    expect(kafka?.sasl).toMatchObject({ mechanism: 'SCRAM-SHA-512', username: 'relay' })
    expect(kafka?.sasl?.password.reveal()).toBe('hunter2')
    expect(JSON.stringify(kafka)).not.toContain('hunter2')
    expect(kafka?.tls).toEqual({ caFile: resolve('/srv/aion', 'certs/ca.pem') })
    expect(
      loadSettings({ AION_KAFKA_BROKERS: 'k:9093', AION_KAFKA_TLS: 'true' }).events.kafka?.tls,
    ).toEqual({ caFile: undefined })
    expect(
      problemsOf({ AION_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', AION_KAFKA_SASL_USERNAME: 'u' }),
    ).toEqual([
      {
        variable: 'AION_KAFKA_SASL_PASSWORD',
        message: 'is needed with AION_KAFKA_SASL_MECHANISM and AION_KAFKA_SASL_USERNAME',
      },
    ])
    expect(problemsOf({ AION_KAFKA_SASL_MECHANISM: 'GSSAPI' })[0]?.variable).toBe(
      'AION_KAFKA_SASL_MECHANISM',
    )
  })

  it('refuses a symmetric JWT algorithm', () => {
    expect(() => loadSettings({ AION_JWT_ALGORITHMS: 'RS256,HS256' })).toThrow(
      /AION_JWT_ALGORITHMS/,
    )
  })

  it('reads and coerces every variable, resolving directories against cwd', () => {
    const settings = loadSettings(
      {
        AION_HOST: '0.0.0.0',
        AION_PORT: '0',
        AION_DATA_DIR: 'state',
        AION_CONFIG_DIR: '/etc/aion',
        AION_LOG_LEVEL: 'debug',
        AION_SHUTDOWN_TIMEOUT_MS: '2500',
        AION_DATABASE_URL: 'postgresql://app:pw@127.0.0.1:5432/test',
      },
      { cwd: '/srv/aion' },
    )
    expect(settings.host).toBe('0.0.0.0')
    expect(settings.port).toBe(0)
    expect(settings.dataDir).toBe(resolve('/srv/aion/state'))
    expect(settings.configDir).toBe('/etc/aion')
    expect(settings.logLevel).toBe('debug')
    expect(settings.shutdownTimeoutMs).toBe(2500)
    expect(settings.databaseUrl?.reveal()).toBe('postgresql://app:pw@127.0.0.1:5432/test')
    expect(JSON.stringify(settings)).not.toContain('pw@')
  })

  it('accepts postgres:// as well and treats an empty value as unset', () => {
    expect(
      loadSettings({ AION_DATABASE_URL: 'postgres://localhost/test' }).databaseUrl?.reveal(),
    ).toBe('postgres://localhost/test')
    expect(loadSettings({ AION_DATABASE_URL: '', AION_PORT: '' })).toMatchObject({
      databaseUrl: undefined,
      port: 8080,
    })
  })

  it('reads the Redis settings only when AION_REDIS_URL is set, its password redacted', () => {
    expect(loadSettings({}).redis).toBeUndefined()
    const settings = loadSettings({
      AION_REDIS_URL: 'redis://:s3cret@127.0.0.1:6379/2',
      AION_REDIS_FAIL_MODE: 'closed',
    })
    expect(settings.redis).toMatchObject({
      keyPrefix: 'aion:',
      failMode: 'closed',
      commandTimeoutMs: 500,
    })
    expect(settings.redis?.url.reveal()).toBe('redis://:s3cret@127.0.0.1:6379/2')
    expect(JSON.stringify(settings)).not.toContain('s3cret')
    expect(loadSettings({ AION_REDIS_URL: 'rediss://cache:6380' }).redis?.failMode).toBe('open')
    expect(
      problemsOf({
        AION_REDIS_URL: 'http://cache:6379',
        AION_REDIS_FAIL_MODE: 'maybe',
        AION_REDIS_KEY_PREFIX: 'a b',
      }),
    ).toEqual(
      expect.arrayContaining([
        { variable: 'AION_REDIS_URL', message: expect.stringMatching(/redis:\/\//) },
        { variable: 'AION_REDIS_FAIL_MODE', message: 'must be one of open, closed' },
        { variable: 'AION_REDIS_KEY_PREFIX', message: expect.stringMatching(/letters/) },
      ]),
    )
    expect(problemsOf({ AION_REDIS_URL: 'redis://[bad' })).toEqual([
      { variable: 'AION_REDIS_URL', message: 'is not a valid URL' },
    ])
  })

  it('reads process.env by default', () => {
    vi.stubEnv('AION_PORT', '4321')
    try {
      expect(loadSettings().port).toBe(4321)
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('leaves the test suites their AION_TEST_* variables: neither settings nor errors', () => {
    expect(() =>
      loadSettings({ AION_TEST_KAFKA_BROKERS: '127.0.0.1:19092', AION_TEST_REDIS_URL: 'x' }),
    ).not.toThrow()
    // A near miss is still an unknown setting.
    expect(problemsOf({ AION_TESTS: '1' }).map((p) => p.variable)).toEqual(['AION_TESTS'])
  })

  it('reports every problem at once, unknown variables included', () => {
    const problems = problemsOf({
      AION_PORT: '70000',
      AION_LOG_LEVEL: 'verbose',
      AION_DATABASE_URL: 'mysql://root:secret@db/aion',
      AION_PROT: '9000',
      AION_SHUTDOWN_TIMEOUT_MS: '-5',
    })
    expect(problems.map((p) => p.variable).sort()).toEqual([
      'AION_DATABASE_URL',
      'AION_LOG_LEVEL',
      'AION_PORT',
      'AION_PROT',
      'AION_SHUTDOWN_TIMEOUT_MS',
    ])
    const byVariable = new Map(problems.map((p) => [p.variable, p.message]))
    expect(byVariable.get('AION_PORT')).toMatch(/<= 65535/)
    expect(byVariable.get('AION_LOG_LEVEL')).toMatch(/one of fatal, error, warn, info/)
    expect(byVariable.get('AION_DATABASE_URL')).toMatch(/postgres:\/\//)
    expect(byVariable.get('AION_PROT')).toBe('is not a known setting (did you mean AION_PORT?)')
    expect(byVariable.get('AION_SHUTDOWN_TIMEOUT_MS')).toMatch(/whole number/)
  })

  it('refuses numbers Ajv alone would coerce loosely', () => {
    for (const port of ['0x1F', ' 8080', '1e3', '80.5', 'http']) {
      expect(problemsOf({ AION_PORT: port })).toEqual([
        { variable: 'AION_PORT', message: 'must be a whole number written in digits' },
      ])
    }
  })

  it('never echoes a database URL, which may hold a password', () => {
    const env = { AION_DATABASE_URL: 'mysql://root:hunter2@db/aion' }
    expect(JSON.stringify(problemsOf(env))).not.toContain('hunter2')
    expect(() => loadSettings(env)).toThrow(/AION_DATABASE_URL/)
    const broken = problemsOf({ AION_DATABASE_URL: 'postgres://[hunter2' })
    expect(broken).toEqual([{ variable: 'AION_DATABASE_URL', message: 'is not a valid URL' }])
  })

  it('leaves variables outside AION_* alone and suggests nothing for far-off names', () => {
    expect(() => loadSettings({ NODE_ENV: 'test', AIONX: '1' })).not.toThrow()
    expect(problemsOf({ AION_SOMETHING_ELSE: '1' })).toEqual([
      { variable: 'AION_SOMETHING_ELSE', message: 'is not a known setting' },
    ])
  })
})
