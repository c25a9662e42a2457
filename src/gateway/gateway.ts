/**
 * The HTTP edge. It knows the control plane only through {@link ControlPlane};
 * every error leaves as `application/problem+json` with a stable code.
 */
import { readFileSync } from 'node:fs'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { ControlPlane } from '../control/control-plane.js'
import type { RateLimits } from '../core/registry/index.js'
import type { GatewaySettings } from '../core/settings/index.js'
import { registerAdminRoutes } from './admin-routes.js'
import { registerAuth, type AuthenticatorOptions } from './auth/index.js'
import { registerHealthRoutes } from './health-routes.js'
import { registerProblemHandlers, renderClientError, renderFrameworkError } from './http-errors.js'
import { createIdempotency, currentEnvelope, type IdempotencyCache } from './idempotency/index.js'
import { registerJsonBody } from './json-body.js'
import type { MetricReading } from './metrics-route.js'
import { createRateLimitHooks, type RateLimiter } from './rate-limit/index.js'
import { registerStreamRoute } from './stream-route.js'
import { registerRouteTable, type RouteEntry } from './route-table.js'
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
  /** Counts the composition keeps, served on `/metrics`. @default none */
  readonly counters?: readonly MetricReading[]
}

/** A gateway that can be told to drain: readiness turns 503 while it finishes in-flight work. */
export interface Gateway {
  readonly app: FastifyInstance
  /** Every route served, with the access the route table gives it. */
  readonly routes: readonly RouteEntry[]
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
    clientErrorHandler: renderClientError,
    frameworkErrors: renderFrameworkError,
    trustProxy: settings.trustProxy,
    ...(settings.tls ? { https: tlsOptions(settings.tls) } : {}),
  }) as unknown as FastifyInstance
  const state = { draining: false }

  const auth = registerAuth(app, options.auth)
  const limits = createRateLimitHooks({ limiter: options.rateLimiter, limits: options.rateLimits })
  // Before any route: every route takes its guards from the route table.
  const routeIndex = registerRouteTable(app, { ...limits, authenticate: auth.authenticate })
  registerProblemHandlers(app, settings.bodyLimitBytes, routeIndex.methodsOf)
  registerJsonBody(app, settings.jsonMaxDepth)

  registerTraceContext(app)
  registerHealthRoutes(app, controlPlane, () => state.draining)
  const idempotency = createIdempotency({
    cache: options.idempotencyCache,
    keyTtlMs: settings.idempotencyTtlMs,
    refresh: currentEnvelope(controlPlane),
  })
  registerTaskRoutes(app, controlPlane, idempotency)
  registerStreamRoute(app, controlPlane)
  registerAdminRoutes(app, controlPlane, options.counters)

  return {
    app,
    routes: routeIndex.routes,
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
