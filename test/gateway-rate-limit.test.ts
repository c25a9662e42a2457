/**
 * Rate limits over real HTTP: per credential (API keys on a real SQLite
 * store) and per client IP, headers on every response, 429 past the burst,
 * limits re-read on every request.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mintApiKey } from '../src/core/auth/index.js'
import type { RateLimits } from '../src/core/registry/index.js'
import { registerAuth, requireScope } from '../src/gateway/auth/index.js'
import { createRateLimitHooks, MemoryRateLimiter } from '../src/gateway/rate-limit/index.js'
import { SqliteStore, type Store } from '../src/storage/index.js'
import { edgeApp, listen } from './support/edge-app.js'

const dir = mkdtempSync(join(tmpdir(), 'aion-rate-'))
let app: FastifyInstance
let base: string
let store: Store
const limiter = new MemoryRateLimiter()
let limits: RateLimits = { per_credential_per_min: 60, burst: 3, per_ip_per_min: 1000 }

beforeAll(async () => {
  store = await SqliteStore.open({ dataDir: dir })
  await store.migrate()
  app = edgeApp({ trustProxy: true })
  const auth = registerAuth(app, { apiKeys: store.apiKeys })
  const rate = createRateLimitHooks({ limiter, limits: () => limits })
  app.post(
    '/v1/tasks',
    {
      onRequest: [
        rate.limitByIp,
        auth.authenticate,
        rate.limitByCredential,
        requireScope('tasks:write'),
      ],
    },
    async () => ({ ok: true }),
  )
  base = await listen(app)
})

afterAll(async () => {
  await app?.close()
  await store?.close()
  limiter.close()
  rmSync(dir, { recursive: true, force: true })
})

async function newKey(): Promise<string> {
  const minted = mintApiKey()
  await store.apiKeys.create({ ...minted, name: 'rate', scopes: ['tasks:write'] })
  return minted.key
}

async function post(key: string | undefined, ip: string) {
  const headers: Record<string, string> = { 'x-forwarded-for': ip }
  if (key !== undefined) headers.authorization = `Bearer ${key}`
  const response = await fetch(`${base}/v1/tasks`, { method: 'POST', headers })
  const body = (await response.json()) as Record<string, unknown>
  return { status: response.status, body, headers: response.headers }
}

describe('per-credential limit', () => {
  it('lets the burst through with RateLimit headers, then answers 429 with Retry-After', async () => {
    limits = { per_credential_per_min: 60, burst: 3, per_ip_per_min: 1000 }
    const key = await newKey()
    for (let i = 0; i < 3; i++) {
      const { status, headers } = await post(key, '10.0.0.1')
      expect(status).toBe(200)
      expect(headers.get('ratelimit-policy')).toBe('"per-ip";q=1000;w=60, "per-credential";q=3;w=3')
      expect(headers.get('ratelimit')).toMatch(
        new RegExp(`^"per-ip";r=\\d+;t=\\d+, "per-credential";r=${2 - i};t=\\d+$`),
      )
    }
    const limited = await post(key, '10.0.0.1')
    expect(limited.status).toBe(429)
    expect(limited.body).toMatchObject({
      code: 'AION_RATE_LIMITED',
      limit: 'per-credential',
      retryable: true,
      retryAfterSeconds: 1,
    })
    expect(limited.headers.get('retry-after')).toBe('1')
    // The reset of the limit that refused is the Retry-After value (one token a second).
    expect(limited.headers.get('ratelimit')).toMatch(/"per-credential";r=0;t=1$/)
    expect(limited.headers.get('content-type')).toMatch(/problem\+json/)
    // Another credential from the same IP is not affected.
    expect((await post(await newKey(), '10.0.0.1')).status).toBe(200)
  })

  it('states on every 2xx and 429 a reset that agrees with Retry-After', async () => {
    // As policies.yml ships: a burst of 120 refilled at 60 a minute (2 s to refill here).
    limits = { per_credential_per_min: 60, burst: 2, per_ip_per_min: 1000 }
    const key = await newKey()
    const items = (headers: Headers) =>
      Object.fromEntries(
        [...(headers.get('ratelimit') ?? '').matchAll(/"([^"]+)";r=(\d+);t=(\d+)/g)].map((m) => [
          m[1],
          { r: Number(m[2]), t: Number(m[3]) },
        ]),
      )
    const first = await post(key, '10.0.0.3')
    const second = await post(key, '10.0.0.3')
    const refused = await post(key, '10.0.0.3')
    expect([first.status, second.status, refused.status]).toEqual([200, 200, 429])
    // One token comes back a second after it was taken: after r=0, t=1 is when to come back.
    expect(items(first.headers)['per-credential']).toEqual({ r: 1, t: 1 })
    expect(items(second.headers)['per-credential']).toEqual({ r: 0, t: 1 })
    expect(items(refused.headers)['per-credential']).toEqual({
      r: 0,
      t: Number(refused.headers.get('retry-after')),
    })
    expect(refused.headers.get('retry-after')).toBe('1')
  })

  it('reads the limits on every request (a policy reload applies at once)', async () => {
    limits = { per_credential_per_min: 60, burst: 1, per_ip_per_min: 1000 }
    const key = await newKey()
    expect((await post(key, '10.0.0.2')).status).toBe(200)
    expect((await post(key, '10.0.0.2')).status).toBe(429)
    limits = { per_credential_per_min: 6000, burst: 1, per_ip_per_min: 1000 }
    // Time already passed counts at the old rate; from this request on, the new one applies.
    expect((await post(key, '10.0.0.2')).status).toBe(429)
    // At 100 tokens a second the bucket refills within a few tens of milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect((await post(key, '10.0.0.2')).status).toBe(200)
  })
})

describe('per-IP limit', () => {
  it('limits an IP across credentials, and counts unauthenticated requests too', async () => {
    limits = { per_credential_per_min: 60, burst: 100, per_ip_per_min: 3 }
    expect((await post(undefined, '10.0.1.1')).status).toBe(401)
    expect((await post(await newKey(), '10.0.1.1')).status).toBe(200)
    expect((await post(await newKey(), '10.0.1.1')).status).toBe(200)
    const limited = await post(await newKey(), '10.0.1.1')
    expect(limited.status).toBe(429)
    expect(limited.body).toMatchObject({ code: 'AION_RATE_LIMITED', limit: 'per-ip' })
    // Three a minute: one token every 20 s.
    expect(limited.headers.get('retry-after')).toBe('20')
    expect(limited.headers.get('ratelimit')).toMatch(/^"per-ip";r=0;t=20$/)
    // Another IP is not affected.
    expect((await post(await newKey(), '10.0.1.2')).status).toBe(200)
  })
})
