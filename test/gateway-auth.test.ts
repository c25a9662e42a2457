/**
 * Gateway auth over real HTTP: JWTs verified against a JWKS file (the
 * rejection matrix and rotation without restart) and API keys on a real
 * SQLite store (valid, wrong secret, unknown id, revoked at once), scopes.
 */
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mintApiKey } from '../src/core/auth/index.js'
import type { JwtSettings } from '../src/core/settings/index.js'
import {
  actorOf,
  createJwtVerifier,
  registerAuth,
  requireScope,
} from '../src/gateway/auth/index.js'
import { SqliteStore, type Store } from '../src/storage/index.js'
import { edgeApp, listen } from './support/edge-app.js'

const issuer = 'https://issuer.test'
const dir = mkdtempSync(join(tmpdir(), 'aion-auth-'))
const jwksPath = join(dir, 'jwks.json')
const settings: JwtSettings = {
  jwks: jwksPath,
  issuer,
  audience: 'omertaos',
  algorithms: ['RS256', 'ES256', 'EdDSA'],
  clockToleranceSeconds: 5,
}

interface SigningKey {
  readonly kid: string
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
  readonly publicPem: string
}

async function signingKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { kid, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) }
}

const writeJwks = (keys: readonly SigningKey[]) =>
  writeFileSync(jwksPath, JSON.stringify({ keys: keys.map((k) => k.publicJwk) }))

const nowS = () => Math.floor(Date.now() / 1000)

function token(key: SigningKey, edit: (jwt: SignJWT) => SignJWT = (jwt) => jwt, alg = 'RS256') {
  const jwt = new SignJWT({ scope: 'tasks:read tasks:write', tenant_id: 'acme' })
    .setProtectedHeader({ alg, kid: key.kid })
    .setSubject('user-1')
    .setIssuer(issuer)
    .setAudience('omertaos')
    .setIssuedAt()
    .setExpirationTime(nowS() + 300)
  return edit(jwt).sign(key.privateKey)
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const claims = () => ({ sub: 'user-1', iss: issuer, aud: 'omertaos', exp: nowS() + 300 })

let app: FastifyInstance
let base: string
let store: Store
let k1: SigningKey
let k2: SigningKey
const keys: Record<string, string> = {}

beforeAll(async () => {
  k1 = await signingKey('k1')
  k2 = await signingKey('k2', 'ES256')
  writeJwks([k1])
  store = await SqliteStore.open({ dataDir: dir })
  await store.migrate()
  for (const [name, scopes] of [
    ['writer', ['tasks:write']],
    ['reader', ['tasks:read']],
    ['admin', ['admin']],
    ['revoked', ['tasks:write']],
  ] as const) {
    const minted = mintApiKey()
    await store.apiKeys.create({ keyId: minted.keyId, secretHash: minted.secretHash, name, scopes })
    keys[name] = minted.key
  }

  app = edgeApp()
  const jwt = await createJwtVerifier(settings, { jwksReloadCooldownMs: 0 })
  const auth = registerAuth(app, { apiKeys: store.apiKeys, jwt })
  const whoami = async (request: Parameters<typeof actorOf>[0]) => actorOf(request)
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/whoami', { onRequest: [auth.authenticate] }, whoami)
  app.post('/write', { onRequest: [auth.authenticate, requireScope('tasks:write')] }, whoami)
  app.get('/admin', { onRequest: [auth.authenticate, requireScope('admin')] }, whoami)
  base = await listen(app)
})

afterAll(async () => {
  await app?.close()
  await store?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function call(path: string, headers: Record<string, string>, method = 'GET') {
  const response = await fetch(`${base}${path}`, { method, headers })
  const body = (await response.json()) as Record<string, unknown>
  return { status: response.status, body, headers: response.headers }
}

const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` })

describe('JWT bearer tokens', () => {
  it('accepts a valid token and maps sub, tenant_id and scope', async () => {
    const { status, body } = await call('/whoami', bearer(await token(k1)))
    expect(status).toBe(200)
    expect(body).toEqual({
      tenantId: 'acme',
      kind: 'jwt',
      id: 'user-1',
      scopes: ['tasks:read', 'tasks:write'],
    })
  })

  it('reads scp as an array and defaults the tenant', async () => {
    const jwt = await new SignJWT({ scp: ['tasks:read'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('svc')
      .setIssuer(issuer)
      .setAudience('omertaos')
      .setExpirationTime('5m')
      .sign(k1.privateKey)
    const { body } = await call('/whoami', bearer(jwt))
    expect(body).toMatchObject({ tenantId: 'default', id: 'svc', scopes: ['tasks:read'] })
  })

  const forged: [string, () => Promise<string> | string, string][] = [
    [
      'alg none',
      () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`,
      'AION_AUTH_INVALID',
    ],
    [
      'HS256 signed with the RSA public key as the secret',
      () => {
        const signingInput = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64(claims())}`
        const mac = createHmac('sha256', k1.publicPem).update(signingInput).digest('base64url')
        return `${signingInput}.${mac}`
      },
      'AION_AUTH_INVALID',
    ],
    ['a wrong aud', () => token(k1, (j) => j.setAudience('someone-else')), 'AION_AUTH_INVALID'],
    ['a wrong iss', () => token(k1, (j) => j.setIssuer('https://evil.test')), 'AION_AUTH_INVALID'],
    ['expired', () => token(k1, (j) => j.setExpirationTime(nowS() - 60)), 'AION_AUTH_EXPIRED'],
    [
      'a future nbf',
      () => token(k1, (j) => j.setNotBefore(nowS() + 60)),
      'AION_AUTH_NOT_YET_VALID',
    ],
    [
      'an unknown kid',
      async () => token({ ...(await signingKey('k-unknown')) }),
      'AION_AUTH_UNKNOWN_KEY_ID',
    ],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await token(k1)).split('.')
        return `${header}.${b64({ ...claims(), scope: 'admin' })}.${signature}`
      },
      'AION_AUTH_INVALID',
    ],
    [
      'a signature by another key under a known kid',
      async () => token({ ...(await signingKey('k1')) }),
      'AION_AUTH_INVALID',
    ],
    [
      'no exp',
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setSubject('user-1')
          .setIssuer(issuer)
          .setAudience('omertaos')
          .sign(k1.privateKey),
      'AION_AUTH_INVALID',
    ],
    ['garbage', () => 'not.a.jwt', 'AION_AUTH_INVALID'],
  ]

  it.each(forged)('refuses %s', async (_name, make, code) => {
    const { status, body, headers } = await call('/whoami', bearer(await make()))
    expect(status).toBe(401)
    expect(body.code).toBe(code)
    expect(headers.get('content-type')).toMatch(/application\/problem\+json/)
    expect(headers.get('www-authenticate')).toBe('Bearer realm="omertaos", error="invalid_token"')
  })

  // RFC 8725 §3.11 explicit typing: an ID token or a security event token of
  // the same issuer must not pass as an access token.
  const typed = (typ: string) =>
    new SignJWT({ scope: 'tasks:read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ })
      .setSubject('user-1')
      .setIssuer(issuer)
      .setAudience('omertaos')
      .setExpirationTime('5m')
      .sign(k1.privateKey)

  it.each(['JWT', 'jwt', 'at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/JWT'])(
    'accepts a token typed %s',
    async (typ) => {
      const { status, body } = await call('/whoami', bearer(await typed(typ)))
      expect(status).toBe(200)
      expect(body.id).toBe('user-1')
    },
  )

  it.each(['id_token+jwt', 'secevent+jwt', 'logout+jwt', 'JOSE', 'jwt+at', 'text/jwt', ''])(
    'refuses a token typed "%s" with AION_AUTH_INVALID',
    async (typ) => {
      const { status, body } = await call('/whoami', bearer(await typed(typ)))
      expect(status).toBe(401)
      expect(body.code).toBe('AION_AUTH_INVALID')
      expect(String(body.detail)).toMatch(/typ/)
    },
  )

  it('accepts a token of a key added to the JWKS file without a restart', async () => {
    const before = await call('/whoami', bearer(await token(k2, undefined, 'ES256')))
    expect(before.body.code).toBe('AION_AUTH_UNKNOWN_KEY_ID')
    writeJwks([k1, k2])
    const after = await call('/whoami', bearer(await token(k2, undefined, 'ES256')))
    expect(after.status).toBe(200)
    expect(after.body.id).toBe('user-1')
    // The old key keeps working after the rotation.
    expect((await call('/whoami', bearer(await token(k1)))).status).toBe(200)
  })

  it('re-reads the file at most once per cooldown', async () => {
    const k3 = await signingKey('k3')
    writeJwks([k1, k2, k3])
    const slow = await createJwtVerifier(settings, { jwksReloadCooldownMs: 60_000 })
    // Loaded just now with k3 in the file: accepted.
    await expect(slow.verify(await token(k3))).resolves.toMatchObject({ id: 'user-1' })
    const k4 = await signingKey('k4')
    writeJwks([k1, k2, k3, k4])
    await expect(slow.verify(await token(k4))).rejects.toMatchObject({
      code: 'AION_AUTH_UNKNOWN_KEY_ID',
    })
  })

  it('refuses HS256 even when the allow-list names it (defence in depth)', async () => {
    const lax = await createJwtVerifier({ ...settings, algorithms: ['RS256', 'HS256', 'none'] })
    const signingInput = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64(claims())}`
    const mac = createHmac('sha256', k1.publicPem).update(signingInput).digest('base64url')
    await expect(lax.verify(`${signingInput}.${mac}`)).rejects.toMatchObject({
      code: 'AION_AUTH_INVALID',
    })
    await expect(lax.verify(await token(k1))).resolves.toMatchObject({ id: 'user-1' })
  })

  it('reads keys from a JWKS URL and fetches again for a new kid', async () => {
    const served = { keys: [k1.publicJwk] }
    const issuerApp = Fastify({ logger: false })
    issuerApp.get('/jwks.json', async () => served)
    const url = `${await listen(issuerApp)}/jwks.json`
    try {
      const remote = await createJwtVerifier({ ...settings, jwks: url }, { jwksFetchCooldownMs: 0 })
      await expect(remote.verify(await token(k1))).resolves.toMatchObject({ tenantId: 'acme' })
      served.keys = [k1.publicJwk, k2.publicJwk]
      await expect(remote.verify(await token(k2, undefined, 'ES256'))).resolves.toMatchObject({
        id: 'user-1',
      })
      await expect(remote.verify(await token(await signingKey('k9')))).rejects.toMatchObject({
        code: 'AION_AUTH_UNKNOWN_KEY_ID',
      })
    } finally {
      await issuerApp.close()
    }
  })

  it('refuses an unreadable JWKS file at startup', async () => {
    await expect(
      createJwtVerifier({ ...settings, jwks: join(dir, 'missing.json') }),
    ).rejects.toMatchObject({ code: 'AION_CONFIG_INVALID' })
  })
})

describe('API keys', () => {
  it('accepts a valid key in Authorization and in x-api-key', async () => {
    const a = await call('/whoami', bearer(keys.writer ?? ''))
    expect(a.status).toBe(200)
    expect(a.body).toMatchObject({ tenantId: 'default', kind: 'api_key', scopes: ['tasks:write'] })
    const b = await call('/whoami', { 'x-api-key': keys.writer ?? '' })
    expect(b.body.id).toBe(a.body.id)
  })

  it('records the use of a key', async () => {
    const id = String((await call('/whoami', bearer(keys.reader ?? ''))).body.id)
    await expect.poll(async () => (await store.apiKeys.findById(id))?.lastUsedAt).not.toBeNull()
  })

  it('refuses a wrong secret and an unknown id alike', async () => {
    const key = keys.writer ?? ''
    const wrongSecret = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0')
    const unknownId = `aion_${'a'.repeat(12)}_${key.slice(-50)}`
    for (const credential of [wrongSecret, unknownId, 'aion_short']) {
      const { status, body } = await call('/whoami', bearer(credential))
      expect(status).toBe(401)
      expect(body.code).toBe('AION_AUTH_INVALID')
    }
  })

  it('refuses a revoked key on the very next request', async () => {
    const key = keys.revoked ?? ''
    const first = await call('/whoami', bearer(key))
    expect(first.status).toBe(200)
    await store.apiKeys.revoke('default', String(first.body.id))
    const second = await call('/whoami', bearer(key))
    expect(second.status).toBe(401)
    expect(second.body.code).toBe('AION_AUTH_REVOKED')
  })
})

describe('missing credentials and scopes', () => {
  it('answers 401 AION_AUTH_MISSING with WWW-Authenticate: Bearer', async () => {
    const { status, body, headers } = await call('/whoami', {})
    expect(status).toBe(401)
    expect(body.code).toBe('AION_AUTH_MISSING')
    expect(headers.get('www-authenticate')).toBe('Bearer realm="omertaos"')
  })

  it('refuses another Authorization scheme', async () => {
    const { body } = await call('/whoami', { authorization: `Basic ${b64('a:b')}` })
    expect(body.code).toBe('AION_AUTH_INVALID')
  })

  it('answers 403 AION_AUTH_FORBIDDEN when a scope is missing; admin holds every scope', async () => {
    const reader = await call('/write', bearer(keys.reader ?? ''), 'POST')
    expect(reader.status).toBe(403)
    expect(reader.body.code).toBe('AION_AUTH_FORBIDDEN')
    expect(reader.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    expect((await call('/write', bearer(keys.writer ?? ''), 'POST')).status).toBe(200)
    expect((await call('/write', bearer(keys.admin ?? ''), 'POST')).status).toBe(200)
    expect((await call('/admin', bearer(keys.writer ?? ''))).status).toBe(403)
    expect((await call('/admin', bearer(await token(k1)))).status).toBe(403)
  })

  it('leaves routes without the hook public', async () => {
    expect((await call('/healthz', {})).status).toBe(200)
  })
})
