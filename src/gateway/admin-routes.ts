/**
 * Admin routes (scope `admin`): policy reload, versions and rollback
 * (reference §14.2), the embedded event log, and AIP package installs
 * (module-admin-routes.ts).
 */
import type { FastifyInstance } from 'fastify'
import type { ControlPlane } from '../control/control-plane.js'
import { RequestInvalidError } from '../core/errors/index.js'
import { actorOf } from './auth/index.js'
import { registerMetricsRoute } from './metrics-route.js'
import { registerModuleAdminRoutes } from './module-admin-routes.js'
import { guarded, type RouteGuards } from './task-routes.js'

const maxEventPage = 1000

export function registerAdminRoutes(
  app: FastifyInstance,
  control: ControlPlane,
  guards: RouteGuards,
): void {
  const admin = { onRequest: guarded(guards, 'admin') }

  app.post('/router/policy/reload', admin, async function reloadPolicies(request) {
    return control.reloadPolicies(actorOf(request))
  })

  app.get('/router/policy/versions', admin, async function policyVersions(request) {
    return { versions: await control.policyVersions(actorOf(request).tenantId) }
  })

  app.post('/router/policy/rollback', admin, async function rollbackPolicies(request) {
    const version = (request.body as { version?: unknown } | undefined)?.version
    if (!Number.isSafeInteger(version) || (version as number) < 1) {
      throw new RequestInvalidError({
        violations: [{ path: '/version', message: 'must be a positive integer', keyword: 'type' }],
      })
    }
    return control.rollbackPolicies(actorOf(request), version as number)
  })

  app.get('/v1/events', admin, async function readEvents(request) {
    const query = request.query as Record<string, string | undefined>
    const afterId = nonNegative(query.after_id, 'after_id', 0)
    const limit = Math.min(nonNegative(query.limit, 'limit', 100), maxEventPage)
    const events = await control.platformEvents(afterId, limit, query.topic)
    return { events, next_after_id: events.at(-1)?.id ?? afterId }
  })

  registerModuleAdminRoutes(app, control, guards)
  registerMetricsRoute(app, control, guards)
}

function nonNegative(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^\d{1,15}$/.test(value)) {
    throw new RequestInvalidError({
      violations: [
        { path: `/${name}`, message: 'must be a non-negative integer', keyword: 'type' },
      ],
    })
  }
  return Number(value)
}
