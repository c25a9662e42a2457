/**
 * Fastify hooks for authentication and scopes, attached per route (health
 * routes stay public):
 *
 * ```ts
 * const auth = registerAuth(app, { apiKeys: store.apiKeys, jwt })
 * app.post('/v1/tasks', { onRequest: [auth.authenticate, requireScope('tasks:write')] }, handler)
 * // in the handler: const actor = actorOf(request)
 * ```
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../../core/domain/index.js'
import { hasScope, type Scope } from '../../core/auth/index.js'
import { AionError, AuthForbiddenError, AuthMissingError } from '../../core/errors/index.js'
import {
  createAuthenticator,
  type Authenticator,
  type AuthenticatorOptions,
} from './authenticator.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request; set by {@link AuthHooks.authenticate}, null before (or on public routes). */
    actor: Actor | null
  }
}

/** A Fastify `onRequest`/`preHandler` hook. */
export type RequestHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

/** What {@link registerAuth} gives the routes. */
export interface AuthHooks {
  /** Authenticates the request and sets `request.actor`; throws `AION_AUTH_*` (401, with `WWW-Authenticate`). */
  readonly authenticate: RequestHook
  /** The transport-neutral authenticator behind the hook (for WebSocket/gRPC). */
  readonly authenticator: Authenticator
}

const realm = 'Bearer realm="omertaos"'

/**
 * Declares `request.actor` on the app and builds the authenticate hook.
 * Call once per Fastify instance, before routes are added.
 */
export function registerAuth(app: FastifyInstance, options: AuthenticatorOptions): AuthHooks {
  if (!app.hasRequestDecorator('actor')) app.decorateRequest('actor', null)
  const authenticator = createAuthenticator(options)
  return {
    authenticator,
    authenticate: async function authenticate(request, reply) {
      const apiKey = request.headers['x-api-key']
      try {
        request.actor = await authenticator.authenticate(
          request.headers.authorization,
          Array.isArray(apiKey) ? apiKey[0] : apiKey,
        )
      } catch (error) {
        if (error instanceof AionError && error.kind === 'unauthenticated') {
          // RFC 6750 §3: no error code when credentials were simply missing.
          const missing = error instanceof AuthMissingError
          void reply.header('www-authenticate', missing ? realm : `${realm}, error="invalid_token"`)
        }
        throw error
      }
    },
  }
}

/**
 * A hook refusing requests whose actor lacks `scope` (`admin` holds all) with
 * `AION_AUTH_FORBIDDEN` (403). Place it after `authenticate`.
 */
export function requireScope(scope: Scope): RequestHook {
  return async function requireScopeHook(request, reply) {
    const actor = actorOf(request)
    if (hasScope(actor.scopes, scope)) return
    void reply.header('www-authenticate', `${realm}, error="insufficient_scope", scope="${scope}"`)
    throw new AuthForbiddenError({ scope })
  }
}

/** The authenticated actor of the request; `AION_AUTH_MISSING` when the route has no authenticate hook. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.actor === null || request.actor === undefined) throw new AuthMissingError({})
  return request.actor
}
