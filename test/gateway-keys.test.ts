/**
 * A tenant's administrator manages its own tenant's API keys over HTTP, on
 * the whole platform in process: a created key is shown once and works at
 * once, a revoked one is refused on its very next request (the key cache
 * included), no caller grants a scope it lacks, another tenant's key is
 * never reached, and every change is audited with its event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mintApiKey, type Scope } from '../src/core/auth/index.js'
import { AionApiError, AionClient } from '../src/sdk/index.js'
import { startTestPlatform, type TestPlatform } from './support/platform.js'

let t: TestPlatform
const keys: Record<'acmeAdmin' | 'acmeTasks' | 'defaultAdmin', { key: string; keyId: string }> = {
  acmeAdmin: { key: '', keyId: '' },
  acmeTasks: { key: '', keyId: '' },
  defaultAdmin: { key: '', keyId: '' },
}

async function storeKey(tenantId: string, scopes: Scope[]) {
  const minted = mintApiKey()
  await t.platform.store.apiKeys.create({
    tenantId,
    keyId: minted.keyId,
    secretHash: minted.secretHash,
    name: `test ${scopes.join(' ')}`,
    scopes,
  })
  return { key: minted.key, keyId: minted.keyId }
}

interface Answer {
  readonly status: number
  readonly text: string
  readonly body: Record<string, unknown>
}

async function call(key: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(`${t.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> }
}

const listed = async (key: string) =>
  (await call(key, 'GET', '/v1/keys')).body.keys as Record<string, unknown>[]

beforeAll(async () => {
  t = await startTestPlatform()
  keys.acmeAdmin = await storeKey('acme', ['admin'])
  keys.acmeTasks = await storeKey('acme', ['tasks:write', 'tasks:read'])
  keys.defaultAdmin = await storeKey('default', ['admin'])
}, 60_000)

afterAll(async () => {
  await t?.close()
})

describe('a tenant admin manages its own keys', () => {
  it('creates a key shown once, lists it, uses it, revokes it: refused on the next request', async () => {
    const created = await call(keys.acmeAdmin.key, 'POST', '/v1/keys', {
      name: 'ci runner',
      scopes: ['tasks:read', 'tasks:write'],
    })
    expect(created.status).toBe(201)
    const keyId = created.body.key_id as string
    expect(created.body.key).toMatch(new RegExp(`^aion_${keyId}_[A-Za-z0-9]+$`))
    expect(Object.keys(created.body).sort()).toEqual(
      ['created_at', 'key', 'key_id', 'last_used_at', 'name', 'revoked_at', 'scopes'].sort(),
    )
    expect(created.body).toMatchObject({
      name: 'ci runner',
      scopes: ['tasks:read', 'tasks:write'],
      revoked_at: null,
    })
    const stored = await t.platform.store.apiKeys.findById(keyId)
    expect(stored?.tenantId).toBe('acme')

    const list = await call(keys.acmeAdmin.key, 'GET', '/v1/keys')
    expect(list.status).toBe(200)
    const shown = (list.body.keys as Record<string, unknown>[]).find((k) => k.key_id === keyId)
    expect(shown).toMatchObject({ name: 'ci runner', revoked_at: null })
    expect(Object.keys(shown ?? {}).sort()).toEqual(
      ['created_at', 'key_id', 'last_used_at', 'name', 'revoked_at', 'scopes'].sort(),
    )
    // Never the secret, nor its hash.
    const secret = (created.body.key as string).split('_')[2] as string
    expect(list.text).not.toContain(secret)
    expect(list.text).not.toContain(stored?.secretHash)

    const newKey = created.body.key as string
    const submitted = await call(newKey, 'POST', '/v1/tasks', {
      intent: 'summarize',
      input: { text: 'One line. Two lines.' },
    })
    expect(submitted.status).toBe(202)
    // Read twice, so the key is in the cache when it is revoked.
    const taskPath = `/v1/tasks/${submitted.body.task_id as string}`
    expect((await call(newKey, 'GET', taskPath)).status).toBe(200)
    expect((await call(newKey, 'GET', taskPath)).status).toBe(200)
    // The list shows when the key was last used (written behind the request).
    await expect
      .poll(async () => (await listed(keys.acmeAdmin.key)).find((k) => k.key_id === keyId))
      .toMatchObject({ last_used_at: expect.any(String) })

    const revoked = await call(keys.acmeAdmin.key, 'POST', `/v1/keys/${keyId}/revoke`)
    expect(revoked.status).toBe(200)
    expect(revoked.body.key_id).toBe(keyId)
    expect(typeof revoked.body.revoked_at).toBe('string')
    const refused = await call(newKey, 'GET', taskPath)
    expect(refused.status).toBe(401)
    expect(refused.body.code).toBe('AION_AUTH_REVOKED')

    // Revoking it again answers it as it is, revoked when it was.
    const again = await call(keys.acmeAdmin.key, 'POST', `/v1/keys/${keyId}/revoke`)
    expect(again.status).toBe(200)
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at)
    const after = (await listed(keys.acmeAdmin.key)).find((k) => k.key_id === keyId)
    expect(after?.revoked_at).toBe(revoked.body.revoked_at)
  })

  it('lets a key revoke itself', async () => {
    const created = await call(keys.acmeAdmin.key, 'POST', '/v1/keys', { scopes: ['admin'] })
    expect(created.status).toBe(201)
    expect(created.body.name).toBe('api')
    const own = created.body.key as string
    const revoked = await call(own, 'POST', `/v1/keys/${created.body.key_id as string}/revoke`)
    expect(revoked.status).toBe(200)
    const next = await call(own, 'GET', '/v1/keys')
    expect(next.status).toBe(401)
    expect(next.body.code).toBe('AION_AUTH_REVOKED')
  })

  it('grants only scopes the caller holds: an admin cannot mint an operator key', async () => {
    const before = await t.platform.store.apiKeys.list('acme')
    const refused = await call(keys.acmeAdmin.key, 'POST', '/v1/keys', {
      scopes: ['tasks:read', 'operator'],
    })
    expect(refused.status).toBe(403)
    expect(refused.body.code).toBe('AION_AUTH_SCOPE_NOT_GRANTABLE')
    expect(refused.text).toContain('operator')
    expect(await t.platform.store.apiKeys.list('acme')).toHaveLength(before.length)

    // The operator may, and the key lands in the operator's own tenant.
    const minted = await call(t.key, 'POST', '/v1/keys', { name: 'ops', scopes: ['operator'] })
    expect(minted.status).toBe(201)
    const stored = await t.platform.store.apiKeys.findById(minted.body.key_id as string)
    expect(stored?.tenantId).toBe('default')
    expect(stored?.scopes).toEqual(['operator'])
  })

  it('refuses a malformed body with 422 AION_REQUEST_INVALID, every violation at once', async () => {
    const unknown = await call(keys.acmeAdmin.key, 'POST', '/v1/keys', {
      scopes: ['tasks:read', 'root'],
    })
    expect(unknown.status).toBe(422)
    expect(unknown.body.code).toBe('AION_REQUEST_INVALID')
    expect(unknown.text).toContain('/scopes/1')

    const bad = await call(keys.acmeAdmin.key, 'POST', '/v1/keys', { name: 7, color: 'red' })
    expect(bad.status).toBe(422)
    const paths = (bad.body.violations as { path: string }[]).map((v) => v.path).sort()
    expect(paths).toEqual(['/color', '/name', '/scopes'])

    for (const body of [[], { scopes: [] }, { scopes: 'admin' }, { scopes: ['admin', 'admin'] }]) {
      const answer = await call(keys.acmeAdmin.key, 'POST', '/v1/keys', body)
      expect(answer.status, JSON.stringify(body)).toBe(422)
      expect(answer.body.code).toBe('AION_REQUEST_INVALID')
    }
  })

  it('refuses a tasks key on every key route (403)', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/keys', undefined],
      ['POST', '/v1/keys', { scopes: ['tasks:read'] }],
      ['POST', `/v1/keys/${keys.acmeTasks.keyId}/revoke`, undefined],
    ] as const) {
      const answer = await call(keys.acmeTasks.key, method, path, body)
      expect(answer.status, `${method} ${path}`).toBe(403)
      expect(answer.body.code).toBe('AION_AUTH_FORBIDDEN')
    }
    expect((await call(keys.acmeTasks.key, 'GET', '/v1/tasks/tsk_none')).status).toBe(404)
  })

  it("answers another tenant's key id as no key at all (404) and leaves it working", async () => {
    const foreign = await call(
      keys.acmeAdmin.key,
      'POST',
      `/v1/keys/${keys.defaultAdmin.keyId}/revoke`,
    )
    const missing = await call(keys.acmeAdmin.key, 'POST', '/v1/keys/nosuchkey123/revoke')
    for (const answer of [foreign, missing]) {
      expect(answer.status).toBe(404)
      expect(answer.body.code).toBe('AION_AUTH_KEY_NOT_FOUND')
    }
    // The operator, too, reaches its own tenant's keys only.
    const byOperator = await call(t.key, 'POST', `/v1/keys/${keys.acmeTasks.keyId}/revoke`)
    expect(byOperator.status).toBe(404)
    expect((await call(keys.defaultAdmin.key, 'GET', '/v1/keys')).status).toBe(200)
    expect((await call(keys.acmeTasks.key, 'GET', '/v1/tasks/tsk_none')).status).toBe(404)
    expect((await t.platform.store.apiKeys.findById(keys.defaultAdmin.keyId))?.revokedAt).toBe(null)
  })

  it('audits every create and revoke, with its aion.audit.activity event', async () => {
    const created = await call(keys.acmeAdmin.key, 'POST', '/v1/keys', {
      name: 'audited',
      scopes: ['tasks:read'],
    })
    const keyId = created.body.key_id as string
    await call(keys.acmeAdmin.key, 'POST', `/v1/keys/${keyId}/revoke`)

    const rows = (await t.platform.store.audit.list('acme')).filter((r) => r.target === keyId)
    expect(rows.map((r) => r.action)).toEqual(['key.create', 'key.revoke'])
    expect(rows.every((r) => r.actor === `api_key:${keys.acmeAdmin.keyId}`)).toBe(true)
    expect(rows[0]?.details).toEqual({ name: 'audited', scopes: ['tasks:read'] })
    // A refused revoke writes nothing (the earlier tests tried these ids).
    const targets = (await t.platform.store.audit.list('acme')).map((r) => r.target)
    expect(targets).not.toContain(keys.defaultAdmin.keyId)
    expect(targets).not.toContain('nosuchkey123')

    const events = await call(
      keys.acmeAdmin.key,
      'GET',
      '/v1/events?limit=1000&topic=aion.audit.activity',
    )
    const actions = (events.body.events as { key: string; payload: { action: string } }[])
      .filter((e) => e.key === keyId)
      .map((e) => e.payload.action)
    expect(actions).toEqual(['key.create', 'key.revoke'])
  })

  it('is reachable through the SDK client', async () => {
    const admin = new AionClient({ baseUrl: t.url, token: keys.acmeAdmin.key })
    const created = await admin.createKey({ name: 'sdk', scopes: ['tasks:read'] })
    expect(created.key.startsWith(`aion_${created.key_id}_`)).toBe(true)
    expect((await admin.listKeys()).keys.map((k) => k.key_id)).toContain(created.key_id)
    const revoked = await admin.revokeKey(created.key_id)
    expect(revoked.revoked_at).not.toBeNull()
    const refused = await admin.createKey({ scopes: ['operator'] }).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(AionApiError)
    expect((refused as AionApiError).status).toBe(403)
    expect((refused as AionApiError).code).toBe('AION_AUTH_SCOPE_NOT_GRANTABLE')
  })
})
