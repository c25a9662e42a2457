/**
 * The HTTP edge. It knows the control plane only through {@link ControlPlane};
 * every error leaves as `application/problem+json` with a stable code.
 */
import { readFileSync } from 'node:fs'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { ControlPlane } from '../control/control-plane.js'
import {
  BodyTooLargeError,
  MalformedJsonError,
  problemContentType,
  RouteNotFoundError,
  toAionError,
  toProblem,
  UnsupportedMediaTypeError,
} from '../core/errors/index.js'
import type { RateLimits } from '../core/registry/index.js'
import type { GatewaySettings } from '../core/settings/index.js'
import { registerAdminRoutes } from './admin-routes.js'
import { registerAuth, type AuthenticatorOptions } from './auth/index.js'
import { registerHealthRoutes } from './health-routes.js'
import { createIdempotency, currentEnvelope, type IdempotencyCache } from './idempotency/index.js'
import { createRateLimitHooks, type RateLimiter } from './rate-limit/index.js'
import { registerStreamRoute } from './stream-route.js'
import { registerTaskRoutes } from './task-routes.js'
import { registerTraceContext } from './trace-context.js'

export interface GatewayOptions {
  readonly controlPlane: ControlPlane
  readonly logger: FastifyBaseLogger
  readonly settings: GatewaySettings
  readonly auth: AuthenticatorOptions
  readonly rateLimiter: RateLimiter
  /** The rate limits in force, read per request (policies.yml, reloadable). */
  readonly rateLimits: () => RateLimits
  readonly idempotencyCache: IdempotencyCache
}

/** A gateway that can be told to drain: readiness turns 503 while it finishes in-flight work. */
export interface Gateway {
  readonly app: FastifyInstance
  startDraining(): void
  readonly draining: boolean
}

export function buildGateway(options: GatewayOptions): Gateway {
  const { settings, controlPlane } = options
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: settings.bodyLimitBytes,
    // Per-request logs cost throughput; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    trustProxy: settings.trustProxy,
    ...(settings.tls ? { https: tlsOptions(settings.tls) } : {}),
  }) as unknown as FastifyInstance
  const state = { draining: false }

  app.setErrorHandler(function renderProblem(error, request, reply) {
    const aion = translateFastifyError(error, settings.bodyLimitBytes)
    if (aion.kind === 'internal') request.log.error({ err: error }, 'unexpected error')
    const problem = toProblem(aion, request.url)
    const retryAfter = (aion.fields as Record<string, unknown>).retryAfterSeconds
    if (typeof retryAfter === 'number' && !reply.hasHeader('retry-after')) {
      void reply.header('retry-after', String(retryAfter))
    }
    void reply.status(problem.status).type(problemContentType).send(problem)
  })
  app.setNotFoundHandler(function renderNotFound(request, reply) {
    const problem = toProblem(
      new RouteNotFoundError({ method: request.method, url: request.url }),
      request.url,
    )
    void reply.status(problem.status).type(problemContentType).send(problem)
  })

  registerTraceContext(app)
  registerHealthRoutes(app, controlPlane, () => state.draining)
  const auth = registerAuth(app, options.auth)
  const limits = createRateLimitHooks({ limiter: options.rateLimiter, limits: options.rateLimits })
  const guards = { ...limits, authenticate: auth.authenticate }
  const idempotency = createIdempotency({
    cache: options.idempotencyCache,
    keyTtlMs: settings.idempotencyTtlMs,
    refresh: currentEnvelope(controlPlane),
  })
  registerTaskRoutes(app, controlPlane, guards, idempotency)
  registerStreamRoute(app, controlPlane, guards)
  registerAdminRoutes(app, controlPlane, guards)

  return {
    app,
    startDraining() {
      state.draining = true
    },
    get draining() {
      return state.draining
    },
  }
}

function tlsOptions(tls: NonNullable<GatewaySettings['tls']>) {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.clientCaFile
      ? { ca: readFileSync(tls.clientCaFile), requestCert: true, rejectUnauthorized: true }
      : {}),
  }
}

/** Fastify's own errors carry codes of their own; give them ours. */
function translateFastifyError(error: unknown, bodyLimitBytes: number) {
  const code = (error as { code?: unknown }).code
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new BodyTooLargeError({ limitBytes: bodyLimitBytes })
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new UnsupportedMediaTypeError({ contentType: String((error as Error).message) })
  }
  if (
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    error instanceof SyntaxError
  ) {
    return new MalformedJsonError({ detail: (error as Error).message }, { cause: error })
  }
  return toAionError(error)
}
