/**
 * A tenant's administrator's routes for its own tenant's API keys (scope
 * `admin`; the operator's key acts on its own tenant too): list them, create
 * one (its key shown once, in the 201), revoke one. A key may be granted only
 * scopes the caller holds; another tenant's key id answers 404.
 */
import type { FastifyInstance } from 'fastify'
import type { ApiKeyView, ControlPlane } from '../control/control-plane.js'
import { isScope, scopes as knownScopes, type Scope } from '../core/auth/index.js'
import { RequestInvalidError, type Violation } from '../core/errors/index.js'
import { actorOf } from './auth/index.js'

const maxNameLength = 100

function wire(key: ApiKeyView) {
  return {
    key_id: key.keyId,
    name: key.name,
    scopes: key.scopes,
    created_at: key.createdAt,
    last_used_at: key.lastUsedAt,
    revoked_at: key.revokedAt,
  }
}

export function registerKeyRoutes(app: FastifyInstance, control: ControlPlane): void {
  app.get('/v1/keys', async function listKeys(request) {
    return { keys: (await control.listKeys(actorOf(request))).map(wire) }
  })

  app.post('/v1/keys', async function createKey(request, reply) {
    const command = newKeyOf(request.body)
    const created = await control.createKey(actorOf(request), command)
    return reply.code(201).send({ key: created.key, ...wire(created.record) })
  })

  app.post('/v1/keys/:key_id/revoke', async function revokeKey(request) {
    const { key_id: keyId } = request.params as { key_id: string }
    return wire(await control.revokeKey(actorOf(request), keyId))
  })
}

/** `{name?, scopes}` checked: every violation at once, as the contract checks answer. */
function newKeyOf(body: unknown): { name: string; scopes: Scope[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestInvalidError({
      violations: [{ path: '', message: 'must be an object', keyword: 'type' }],
    })
  }
  const { name = 'api', scopes, ...rest } = body as Record<string, unknown>
  const violations: Violation[] = Object.keys(rest).map((key) => ({
    path: `/${key}`,
    message: 'is not a known property (name, scopes)',
    keyword: 'additionalProperties',
  }))
  if (typeof name !== 'string' || name.trim() === '' || name.length > maxNameLength) {
    violations.push({
      path: '/name',
      message: `must be a non-empty string of at most ${maxNameLength} characters`,
      keyword: 'type',
    })
  }
  if (!Array.isArray(scopes) || scopes.length === 0) {
    violations.push({
      path: '/scopes',
      message: `must be a non-empty array of scopes (${knownScopes.join(', ')})`,
      keyword: scopes === undefined ? 'required' : 'type',
    })
  } else {
    scopes.forEach((scope: unknown, index) => {
      if (typeof scope !== 'string' || !isScope(scope)) {
        violations.push({
          path: `/scopes/${index}`,
          message: `must be one of ${knownScopes.join(', ')}`,
          keyword: 'enum',
        })
      }
    })
  }
  if (violations.length > 0) throw new RequestInvalidError({ violations })
  return { name: name as string, scopes: scopes as Scope[] }
}
