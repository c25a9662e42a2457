/**
 * The HTTP edge. It knows the control plane only through {@link ControlPlane};
 * every error leaves as `application/problem+json` with a stable code.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { ControlPlane } from '../control/control-plane.js'
import {
  BodyTooLargeError,
  MalformedJsonError,
  problemContentType,
  RouteNotFoundError,
  toAionError,
  toProblem,
} from '../core/errors/index.js'
import { registerHealthRoutes } from './health-routes.js'

export interface GatewayOptions {
  readonly controlPlane: Pick<ControlPlane, 'readiness'>
  readonly logger: FastifyBaseLogger
  /**
   * Largest accepted request body.
   * @default 1048576
   */
  readonly bodyLimitBytes?: number
}

/** A gateway that can be told to drain: readiness turns 503 while it finishes in-flight work. */
export interface Gateway {
  readonly app: FastifyInstance
  startDraining(): void
  readonly draining: boolean
}

export function buildGateway(options: GatewayOptions): Gateway {
  const bodyLimitBytes = options.bodyLimitBytes ?? 1024 * 1024
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: bodyLimitBytes,
    disableRequestLogging: true,
    return503OnClosing: true,
  })
  const state = { draining: false }

  app.setErrorHandler(function renderProblem(error, request, reply) {
    const aion = translateFastifyError(error, bodyLimitBytes)
    if (aion.kind === 'internal') request.log.error({ err: error }, 'unexpected error')
    const problem = toProblem(aion, request.url)
    void reply.status(problem.status).type(problemContentType).send(problem)
  })
  app.setNotFoundHandler(function renderNotFound(request, reply) {
    const problem = toProblem(
      new RouteNotFoundError({ method: request.method, url: request.url }),
      request.url,
    )
    void reply.status(problem.status).type(problemContentType).send(problem)
  })

  registerHealthRoutes(app, options.controlPlane, () => state.draining)

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

/** Fastify's own errors carry codes of their own; give them ours. */
function translateFastifyError(error: unknown, bodyLimitBytes: number) {
  const code = (error as { code?: unknown }).code
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new BodyTooLargeError({ limitBytes: bodyLimitBytes })
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return new MalformedJsonError({ detail: (error as Error).message }, { cause: error })
  }
  return toAionError(error)
}
