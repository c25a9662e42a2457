/**
 * Administration routes; who may call each is in route-table.ts. The
 * platform operator's (scope `operator`): policy reload, versions and
 * rollback (reference §14.2), AIP package installs (module-admin-routes.ts)
 * and metrics, all shared by every tenant. A tenant's administrator's (scope
 * `admin`): the embedded event log, of its own tenant only; the operator
 * reads every tenant's, or one tenant's with `?tenant_id=`; and its own
 * tenant's API keys (key-routes.ts).
 */
import type { FastifyInstance } from 'fastify'
import type { ControlPlane } from '../control/control-plane.js'
import { isOperator } from '../core/auth/index.js'
import { AuthForbiddenError, RequestInvalidError } from '../core/errors/index.js'
import { actorOf } from './auth/index.js'
import { registerKeyRoutes } from './key-routes.js'
import { registerMetricsRoute, type MetricReading } from './metrics-route.js'
import { registerModuleAdminRoutes } from './module-admin-routes.js'

const maxEventPage = 1000

export function registerAdminRoutes(
  app: FastifyInstance,
  control: ControlPlane,
  counters: readonly MetricReading[] = [],
): void {
  app.post('/router/policy/reload', async function reloadPolicies(request) {
    return control.reloadPolicies(actorOf(request))
  })

  app.get('/router/policy/versions', async function policyVersions(request) {
    return { versions: await control.policyVersions(actorOf(request).tenantId) }
  })

  app.post('/router/policy/rollback', async function rollbackPolicies(request) {
    const version = (request.body as { version?: unknown } | undefined)?.version
    if (!Number.isSafeInteger(version) || (version as number) < 1) {
      throw new RequestInvalidError({
        violations: [{ path: '/version', message: 'must be a positive integer', keyword: 'type' }],
      })
    }
    return control.rollbackPolicies(actorOf(request), version as number)
  })

  app.get('/v1/events', async function readEvents(request) {
    const query = request.query as Record<string, string | undefined>
    const afterId = nonNegative(query.after_id, 'after_id', 0)
    const limit = Math.min(nonNegative(query.limit, 'limit', 100), maxEventPage)
    const tenantId = eventTenant(actorOf(request), query.tenant_id)
    const events = await control.platformEvents(afterId, limit, query.topic, tenantId)
    return { events, next_after_id: events.at(-1)?.id ?? afterId }
  })

  registerKeyRoutes(app, control)
  registerModuleAdminRoutes(app, control)
  registerMetricsRoute(app, control, counters)
}

/**
 * Whose events a caller reads: a tenant's administrator only its own (naming
 * another tenant is refused, not silently narrowed); the operator every
 * tenant's, or the one it names.
 */
function eventTenant(
  actor: { readonly tenantId: string; readonly scopes: readonly string[] },
  requested: string | undefined,
): string | undefined {
  if (isOperator(actor.scopes)) return requested
  if (requested !== undefined && requested !== actor.tenantId) {
    throw new AuthForbiddenError({ scope: 'operator' })
  }
  return actor.tenantId
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
