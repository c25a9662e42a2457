/**
 * The whole platform in this process, as `npm start` composes it, listening
 * on a free port, with the openai provider pointed at the in-repo test
 * upstream. E2E tests talk to it with real clients only.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { loadSettings } from '../../src/core/settings/index.js'
import { startPlatform, type Platform } from '../../src/server/platform.js'
import { startUpstream, type Upstream } from '../upstream/openai-upstream.js'

export interface TestPlatform {
  readonly platform: Platform
  readonly url: string
  /** The development key (operator scope) created on start. */
  readonly key: string
  readonly upstream: Upstream
  readonly configDir: string
  /** POST /v1/tasks with the dev key. */
  submit(body: unknown, headers?: Record<string, string>): Promise<Response>
  close(): Promise<void>
}

export interface TestPlatformOptions {
  /** Extra `AION_*` settings. */
  readonly env?: Record<string, string>
  /** Replaces policies.yml's `rate_limits` block. */
  readonly rateLimits?: { perCredentialPerMin: number; burst: number; perIpPerMin: number }
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const upstream = await startUpstream()
  const dataDir = mkdtempSync(join(tmpdir(), 'aion-e2e-data-'))
  const configDir = mkdtempSync(join(tmpdir(), 'aion-e2e-config-'))
  cpSync('config', configDir, { recursive: true })
  const limits = options.rateLimits ?? {
    perCredentialPerMin: 100000,
    burst: 100000,
    perIpPerMin: 100000,
  }
  const policiesFile = join(configDir, 'policies.yml')
  const policies = readFileSync(policiesFile, 'utf8').replace(
    /\nrate_limits:\n(?: {2}.*\n?)*/,
    '\n',
  )
  writeFileSync(
    policiesFile,
    `${policies.trimEnd()}\nrate_limits:\n  per_credential_per_min: ${limits.perCredentialPerMin}\n  burst: ${limits.burst}\n  per_ip_per_min: ${limits.perIpPerMin}\n`,
  )
  const settings = loadSettings(
    {
      AION_HOST: '127.0.0.1',
      AION_PORT: '0',
      AION_DATA_DIR: dataDir,
      AION_CONFIG_DIR: configDir,
      AION_OPENAI_API_KEY: 'sk-e2e',
      AION_OPENAI_BASE_URL: upstream.url,
      AION_RETRY_BASE_MS: '5',
      ...options.env,
    },
    { cwd: process.cwd() },
  )
  const platform = await startPlatform(settings, pino({ level: 'silent' }))
  const key = platform.devApiKey
  if (!key) throw new Error('no development key was created')
  return {
    platform,
    url: platform.url,
    key,
    upstream,
    configDir,
    submit(body, headers = {}) {
      return fetch(`${platform.url}/v1/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      })
    },
    async close() {
      await platform.stop()
      await upstream.close()
      rmSync(dataDir, { recursive: true, force: true })
      rmSync(configDir, { recursive: true, force: true })
    },
  }
}
