/**
 * Walks every route the gateway registers (as Fastify reports them: a route
 * added without a walk here fails this test) with every kind of credential of
 * two tenants — none, a tasks key, the tenant's admin, the platform operator —
 * against each tenant's tasks. Every status is the one the route table
 * declares, and no answer to a credential of one tenant (the operator aside)
 * holds anything of the other: task ids, key ids, marked inputs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasScope, mintApiKey, type Scope } from '../src/core/auth/index.js'
import { routeTable, type RouteAccess } from '../src/gateway/route-table.js'
import { startTestPlatform, type TestPlatform } from './support/platform.js'

let t: TestPlatform

interface Credential {
  readonly name: string
  readonly tenant: 'a' | 'b' | undefined
  readonly scopes: readonly Scope[]
  readonly key: string | undefined
  readonly keyId: string | undefined
}

interface Tenant {
  readonly id: string
  /** A finished task of the tenant's, and a string only its data holds. */
  taskId: string
  readonly marker: string
  readonly keyIds: string[]
  /** A key of the tenant's no credential uses, for the walk to revoke. */
  spareKeyId: string
}

const tenants: Record<'a' | 'b', Tenant> = {
  a: { id: 'default', taskId: '', marker: 'alpha-marker-7f3c', keyIds: [], spareKeyId: '' },
  b: { id: 'acme', taskId: '', marker: 'bravo-marker-19ad', keyIds: [], spareKeyId: '' },
}
const credentials: Credential[] = []

async function createKey(tenant: 'a' | 'b', scopes: Scope[]): Promise<Credential> {
  const minted = mintApiKey()
  await t.platform.store.apiKeys.create({
    tenantId: tenants[tenant].id,
    keyId: minted.keyId,
    secretHash: minted.secretHash,
    name: `walk ${scopes.join(' ')}`,
    scopes,
  })
  tenants[tenant].keyIds.push(minted.keyId)
  return {
    name: `${tenant}:${scopes.join('+')}`,
    tenant,
    scopes,
    key: minted.key,
    keyId: minted.keyId,
  }
}

async function submitAs(credential: Credential, marker: string): Promise<string> {
  const response = await fetch(`${t.url}/v1/tasks`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${credential.key}`,
      'content-type': 'application/json',
      prefer: 'wait=10',
    },
    body: JSON.stringify({
      intent: 'summarize',
      input: { text: `The ${marker} report is done. It was long.` },
      metadata: { marker },
    }),
  })
  const envelope = (await response.json()) as { task_id: string; status: string }
  expect(envelope.status).toBe('succeeded')
  return envelope.task_id
}

beforeAll(async () => {
  t = await startTestPlatform()
  const devKeyId = t.key.split('_')[1] as string
  tenants.a.keyIds.push(devKeyId)
  credentials.push({
    name: 'none',
    tenant: undefined,
    scopes: [],
    key: undefined,
    keyId: undefined,
  })
  for (const tenant of ['a', 'b'] as const) {
    const tasks = await createKey(tenant, ['tasks:write', 'tasks:read'])
    credentials.push(tasks, await createKey(tenant, ['admin']))
    tenants[tenant].taskId = await submitAs(tasks, tenants[tenant].marker)
    tenants[tenant].spareKeyId = (await createKey(tenant, ['tasks:read'])).keyId as string
  }
  // The platform operator: the development key, of the default tenant.
  credentials.push({
    name: 'a:operator (dev key)',
    tenant: 'a',
    scopes: ['operator'],
    key: t.key,
    keyId: devKeyId,
  })
  // An operator key may belong to any tenant: the operator role is the platform's, its tasks its tenant's.
  credentials.push(await createKey('b', ['operator']))
}, 60_000)

afterAll(async () => {
  await t?.close()
})

interface Call {
  readonly method: string
  readonly path: string
  readonly body?: unknown
}

/**
 * How to call each route against one tenant's task, the access the route
 * must have (stated again here, so that loosening the route table shows in
 * this test), and what a permitted caller gets.
 */
type Walk = (
  target: Tenant,
) => Call & { readonly access: RouteAccess; readonly ok: (own: boolean) => number }

const walks: Record<keyof typeof routeTable, Walk> = {
  'GET /healthz': () => ({ access: 'public', method: 'GET', path: '/healthz', ok: () => 200 }),
  'GET /readyz': () => ({ access: 'public', method: 'GET', path: '/readyz', ok: () => 200 }),
  'POST /v1/tasks': () => ({
    access: 'tasks:write',
    method: 'POST',
    path: '/v1/tasks',
    body: { intent: 'summarize', input: { text: 'A short one. Done.' } },
    ok: () => 202,
  }),
  'GET /v1/tasks/:task_id': (target) => ({
    access: 'tasks:read',
    method: 'GET',
    path: `/v1/tasks/${target.taskId}`,
    ok: (own) => (own ? 200 : 404),
  }),
  'POST /v1/tasks/:task_id/cancel': (target) => ({
    access: 'tasks:write',
    method: 'POST',
    path: `/v1/tasks/${target.taskId}/cancel`,
    ok: (own) => (own ? 200 : 404),
  }),
  'GET /v1/stream/:task_id': (target) => ({
    access: 'tasks:read',
    method: 'GET',
    path: `/v1/stream/${target.taskId}`,
    ok: (own) => (own ? 200 : 404),
  }),
  'GET /v1/events': () => ({
    access: 'admin',
    method: 'GET',
    path: '/v1/events?limit=1000',
    ok: () => 200,
  }),
  'GET /v1/keys': () => ({ access: 'admin', method: 'GET', path: '/v1/keys', ok: () => 200 }),
  'POST /v1/keys': () => ({
    access: 'admin',
    method: 'POST',
    path: '/v1/keys',
    body: { name: 'walk', scopes: ['tasks:read'] },
    ok: () => 201,
  }),
  // Keys belong to a tenant: the operator, too, revokes its own tenant's only; a revoked key answers as it is.
  'POST /v1/keys/:key_id/revoke': (target) => ({
    access: 'admin',
    method: 'POST',
    path: `/v1/keys/${target.spareKeyId}/revoke`,
    ok: (own) => (own ? 200 : 404),
  }),
  'POST /router/policy/reload': () => ({
    access: 'operator',
    method: 'POST',
    path: '/router/policy/reload',
    ok: () => 200,
  }),
  'GET /router/policy/versions': () => ({
    access: 'operator',
    method: 'GET',
    path: '/router/policy/versions',
    ok: () => 200,
  }),
  'POST /router/policy/rollback': () => ({
    access: 'operator',
    method: 'POST',
    path: '/router/policy/rollback',
    body: { version: 1 },
    ok: () => 200,
  }),
  'POST /v1/admin/modules/install': () => ({
    access: 'operator',
    method: 'POST',
    path: '/v1/admin/modules/install',
    body: {},
    // No ref: the operator passes every guard and meets the body check.
    ok: () => 422,
  }),
  'GET /v1/admin/modules': () => ({
    access: 'operator',
    method: 'GET',
    path: '/v1/admin/modules',
    ok: () => 200,
  }),
  'GET /metrics': () => ({ access: 'operator', method: 'GET', path: '/metrics', ok: () => 200 }),
}

function expectedStatus(access: RouteAccess, credential: Credential, ok: number): number {
  if (access === 'public') return ok
  if (credential.key === undefined) return 401
  return hasScope(credential.scopes, access) ? ok : 403
}

async function send(call: Call, credential: Credential): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {}
  if (credential.key !== undefined) headers.authorization = `Bearer ${credential.key}`
  if (call.body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(`${t.url}${call.path}`, {
    method: call.method,
    headers,
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
  })
  return { status: response.status, text: await response.text() }
}

/** Everything of `tenant` that another tenant's credential must never see. */
function secretsOf(tenant: Tenant): string[] {
  return [tenant.taskId, tenant.marker, ...tenant.keyIds]
}

describe('every route, every credential of two tenants', () => {
  it('walks exactly the routes the gateway registers, each in the route table', () => {
    const registered = t.platform.gateway.routes
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`)
      .sort()
    expect(registered).toEqual(Object.keys(walks).sort())
    expect(registered).toEqual(Object.keys(routeTable).sort())
    for (const route of t.platform.gateway.routes) {
      expect(t.platform.gateway.app.hasRoute({ method: route.method, url: route.url })).toBe(true)
    }
  })

  it("answers each the declared status and never another tenant's data", async () => {
    const seen: string[] = []
    for (const route of t.platform.gateway.routes) {
      const key =
        `${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}` as keyof typeof walks
      const walk = walks[key]
      expect(walk, `${route.method} ${route.url} has no walk`).toBeDefined()
      for (const credential of credentials) {
        for (const target of ['a', 'b'] as const) {
          const call = walk(tenants[target])
          expect(route.access, `${route.method} ${route.url}`).toBe(call.access)
          // Tasks belong to a tenant: the operator, too, reads and cancels its own tenant's only.
          const own = credential.tenant === target
          const expected = expectedStatus(route.access, credential, call.ok(own))
          const answer = await send({ ...call, method: route.method }, credential)
          const label = `${route.method} ${call.path} as ${credential.name}`
          expect(answer.status, label).toBe(expected)
          seen.push(`${label} → ${answer.status}`)
          if (credential.scopes.includes('operator')) continue
          // Every tenant but the caller's own is off limits (no credential: every tenant).
          for (const other of ['a', 'b'] as const) {
            if (other === credential.tenant) continue
            for (const secret of secretsOf(tenants[other])) {
              // A problem's `instance` echoes the path: what the caller sent is no leak.
              if (call.path.includes(secret)) continue
              expect(answer.text.includes(secret), `${label} shows ${secret}`).toBe(false)
            }
          }
        }
      }
    }
    expect(seen.length).toBe(t.platform.gateway.routes.length * credentials.length * 2)
  }, 120_000)
})

describe('API keys by tenant', () => {
  it("lists to a tenant's admin, and to an operator, its own tenant's keys only", async () => {
    for (const credential of credentials) {
      if (credential.tenant === undefined) continue
      if (!hasScope(credential.scopes, 'admin')) continue
      const own = tenants[credential.tenant]
      const other = tenants[credential.tenant === 'a' ? 'b' : 'a']
      const response = await fetch(`${t.url}/v1/keys`, {
        headers: { authorization: `Bearer ${credential.key}` },
      })
      expect(response.status).toBe(200)
      const listed = ((await response.json()) as { keys: { key_id: string }[] }).keys.map(
        (k) => k.key_id,
      )
      const stored = await t.platform.store.apiKeys.list(own.id)
      expect(listed.sort()).toEqual(stored.map((k) => k.keyId).sort())
      const others = await t.platform.store.apiKeys.list(other.id)
      expect(others.length).toBeGreaterThan(0)
      for (const key of others) expect(listed).not.toContain(key.keyId)
    }
  })
})

describe('the event log by tenant', () => {
  const events = async (credential: Credential | undefined, query = '') => {
    const response = await fetch(`${t.url}/v1/events?limit=1000${query}`, {
      headers: { authorization: `Bearer ${credential?.key ?? t.key}` },
    })
    return {
      status: response.status,
      body: (await response.json()) as { events: { tenantId: string; key: string | null }[] },
    }
  }
  const adminOf = (tenant: 'a' | 'b') =>
    credentials.find((c) => c.tenant === tenant && c.scopes.includes('admin')) as Credential

  it("gives a tenant's admin its own tenant's events only", async () => {
    for (const tenant of ['a', 'b'] as const) {
      const { status, body } = await events(adminOf(tenant))
      expect(status).toBe(200)
      expect(body.events.length).toBeGreaterThan(0)
      expect(body.events.every((e) => e.tenantId === tenants[tenant].id)).toBe(true)
      expect(body.events.map((e) => e.key)).toContain(tenants[tenant].taskId)
    }
  })

  it("refuses a tenant's admin that names another tenant (403), allows its own", async () => {
    const refused = await events(adminOf('b'), '&tenant_id=default')
    expect(refused.status).toBe(403)
    const own = await events(adminOf('b'), '&tenant_id=acme')
    expect(own.status).toBe(200)
    expect(own.body.events.every((e) => e.tenantId === 'acme')).toBe(true)
  })

  it('gives the operator every tenant, or the one it names', async () => {
    const all = await events(undefined)
    expect(new Set(all.body.events.map((e) => e.tenantId))).toEqual(new Set(['default', 'acme']))
    const acme = await events(undefined, '&tenant_id=acme')
    expect(acme.body.events.length).toBeGreaterThan(0)
    expect(acme.body.events.every((e) => e.tenantId === 'acme')).toBe(true)
  })
})
