/**
 * A bare Fastify app that renders errors as the gateway does (problem+json,
 * status from the kind table), for testing edge hooks over real HTTP.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { problemContentType, toProblem } from '../../src/core/errors/index.js'

export function edgeApp(options: { trustProxy?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: false, trustProxy: options.trustProxy ?? false })
  app.setErrorHandler(function renderProblem(error, request, reply) {
    const problem = toProblem(error, request.url)
    void reply.status(problem.status).type(problemContentType).send(problem)
  })
  return app
}

/** Starts the app on a free loopback port and returns its base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return `http://127.0.0.1:${address.port}`
}
