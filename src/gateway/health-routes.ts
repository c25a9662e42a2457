import type { FastifyInstance } from 'fastify'
import type { ControlPlane } from '../control/control-plane.js'

/** `GET /healthz` (the process is alive) and `GET /readyz` (it can take work). */
export function registerHealthRoutes(
  app: FastifyInstance,
  controlPlane: Pick<ControlPlane, 'readiness'>,
  isDraining: () => boolean,
): void {
  app.get('/healthz', async function healthz() {
    return { status: 'ok' }
  })

  app.get('/readyz', async function readyz(_request, reply) {
    if (isDraining()) {
      return reply.status(503).header('retry-after', '5').send({ status: 'draining', checks: [] })
    }
    const readiness = await controlPlane.readiness()
    return reply
      .status(readiness.ready ? 200 : 503)
      .send({ status: readiness.ready ? 'ready' : 'not_ready', checks: readiness.checks })
  })
}
