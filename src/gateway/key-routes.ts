/**
 * A tenant's administrator's routes for its own tenant's API keys (scope
 * `admin`; the operator's key acts on its own tenant too): list them, create
 * one (its key shown once, in the 201), revoke one. A key may be granted only
 * scopes the caller holds; another tenant's key id answers 404.
 */
import type { FastifyInstance } from 'fastify'
import type { KeyCreateRequest } from '../../contracts/generated/index.js'
import type { ApiKeyView, ControlPlane, NewKeyCommand } from '../control/control-plane.js'
import { checkContract } from '../core/contracts/contract-validator.js'
import { RequestInvalidError } from '../core/errors/index.js'
import { actorOf } from './auth/index.js'

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

/** The body checked against the `key-create-request` contract, every violation at once. */
function newKeyOf(body: unknown): NewKeyCommand {
  const violations = checkContract('key-create-request', body)
  if (violations.length > 0) throw new RequestInvalidError({ violations })
  const request = body as KeyCreateRequest
  return { name: request.name ?? 'api', scopes: request.scopes }
}
