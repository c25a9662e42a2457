/**
 * JWT bearer tokens through the whole platform: the rejection matrix of
 * issue 3, with keys from a JWKS file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

const issuer = 'https://issuer.example'
const audience = 'omertaos'
let t: TestPlatform
let privateKey: CryptoKey
let publicPem: string
let strangerKey: CryptoKey
const dir = mkdtempSync(join(tmpdir(), 'aion-jwks-'))

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true })
  privateKey = pair.privateKey
  publicPem = await exportSPKI(pair.publicKey)
  strangerKey = (await generateKeyPair('RS256')).privateKey
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'main', alg: 'RS256', use: 'sig' }
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }))
  t = await startTestPlatform({
    env: {
      AION_JWT_JWKS: join(dir, 'jwks.json'),
      AION_JWT_ISSUER: issuer,
      AION_JWT_AUDIENCE: audience,
    },
  })
})
afterAll(async () => {
  await t.close()
  rmSync(dir, { recursive: true, force: true })
})

const now = () => Math.floor(Date.now() / 1000)

function token(
  claims: Record<string, unknown> = {},
  options: { kid?: string; key?: CryptoKey; iat?: number } = {},
): Promise<string> {
  return new SignJWT({ scope: 'tasks:write tasks:read', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'main' })
    .setIssuer((claims.iss as string | undefined) ?? issuer)
    .setAudience((claims.aud as string | undefined) ?? audience)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime((claims.exp as number | undefined) ?? now() + 300)
    .sign(options.key ?? privateKey)
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

async function submitWith(bearer: string): Promise<Response> {
  return t.submit(
    { intent: 'summarize', input: { text: 'One. Two.' } },
    { authorization: `Bearer ${bearer}` },
  )
}

describe('JWT bearer tokens', () => {
  it('accepts a valid token and acts as its subject', async () => {
    const response = await submitWith(await token())
    expect(response.status).toBe(202)
  })

  const matrix: [string, () => Promise<string>, string][] = [
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', iss: issuer, aud: audience, exp: now() + 300 })}.`,
      'AION_AUTH_INVALID',
    ],
    [
      'HS256 signed with the RSA public key',
      () =>
        new SignJWT({ scope: 'admin' })
          .setProtectedHeader({ alg: 'HS256', kid: 'main' })
          .setIssuer(issuer)
          .setAudience(audience)
          .setExpirationTime(now() + 300)
          .sign(new TextEncoder().encode(publicPem)),
      'AION_AUTH_INVALID',
    ],
    ['wrong aud', () => token({ aud: 'someone-else' }), 'AION_AUTH_INVALID'],
    ['wrong iss', () => token({ iss: 'https://evil.example' }), 'AION_AUTH_INVALID'],
    ['expired', () => token({ exp: now() - 600 }), 'AION_AUTH_EXPIRED'],
    ['nbf in the future', () => token({ nbf: now() + 600 }), 'AION_AUTH_NOT_YET_VALID'],
    [
      'unknown kid',
      () => token({}, { kid: 'stranger', key: strangerKey }),
      'AION_AUTH_UNKNOWN_KEY_ID',
    ],
    [
      'signed by another key under a known kid',
      () => token({}, { key: strangerKey }),
      'AION_AUTH_INVALID',
    ],
  ]

  it.each(matrix)('rejects %s', async (_name, make, code) => {
    const response = await submitWith(await make())
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(await response.json()).toMatchObject({ status: 401, code })
  })

  it('refuses a token without the scope a route needs (403)', async () => {
    const response = await submitWith(await token({ scope: 'tasks:read' }))
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ code: 'AION_AUTH_FORBIDDEN' })
  })
})
