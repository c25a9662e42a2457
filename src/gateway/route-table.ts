/**
 * Who may call each route, in one table. The gateway attaches each route's
 * guards from here as the route is added (IP limit → authenticate →
 * credential limit → scope); a route missing from the table fails the
 * gateway at startup, so no route can ship unguarded by omission.
 *
 * | access        | who                                                          |
 * | ------------- | ------------------------------------------------------------ |
 * | `public`      | anyone (liveness, readiness)                                 |
 * | `tasks:*`     | a credential with the scope, on its own tenant's tasks       |
 * | `admin`       | a tenant's administrator, on its own tenant only             |
 * | `operator`    | the platform operator: every tenant and what they all share  |
 */
import type { FastifyInstance } from 'fastify'
import type { Scope } from '../core/auth/index.js'
import { requireScope, type RequestHook } from './auth/index.js'

/** What a route needs: nothing, or a credential holding the scope. */
export type RouteAccess = 'public' | Scope

/** Every route the gateway serves, by `METHOD /url`, and what it needs. */
export const routeTable = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'POST /v1/tasks': 'tasks:write',
  'GET /v1/tasks/:task_id': 'tasks:read',
  'POST /v1/tasks/:task_id/cancel': 'tasks:write',
  'GET /v1/stream/:task_id': 'tasks:read',
  // A tenant's administrator reads its own tenant's events; the operator reads every tenant's.
  'GET /v1/events': 'admin',
  // A tenant's administrator manages its own tenant's keys; so does the operator, on its own tenant only.
  'GET /v1/keys': 'admin',
  'POST /v1/keys': 'admin',
  'POST /v1/keys/:key_id/revoke': 'admin',
  // The registry set, installed modules and metrics are the platform's, shared by all tenants.
  'POST /router/policy/reload': 'operator',
  'GET /router/policy/versions': 'operator',
  'POST /router/policy/rollback': 'operator',
  'POST /v1/admin/modules/install': 'operator',
  'GET /v1/admin/modules': 'operator',
  'GET /metrics': 'operator',
} as const satisfies Record<string, RouteAccess>

/** A route as registered, with the access the table gives it. */
export interface RouteEntry {
  readonly method: string
  readonly url: string
  readonly access: RouteAccess
}

/** The hooks every protected route runs before its scope check. */
export interface RouteGuards {
  readonly limitByIp: RequestHook
  readonly authenticate: RequestHook
  readonly limitByCredential: RequestHook
}

/** The routes registered so far; {@link registerRouteTable} fills it. */
export interface RouteIndex {
  readonly routes: readonly RouteEntry[]
  /** The methods a concrete path is served under (for 405's `Allow`). */
  methodsOf(path: string): readonly string[]
}

/** The access of `METHOD url` (a HEAD route takes its GET's), or undefined when the table lacks it. */
export function accessOf(method: string, url: string): RouteAccess | undefined {
  const key = `${method === 'HEAD' ? 'GET' : method} ${url}`
  return (routeTable as Readonly<Record<string, RouteAccess>>)[key]
}

/**
 * Indexes every route as it is added and puts its guards in front of its own
 * `onRequest` hooks. Call before any route is added.
 */
export function registerRouteTable(app: FastifyInstance, guards: RouteGuards): RouteIndex {
  const routes: (RouteEntry & { readonly pattern: RegExp })[] = []
  const byScope = new Map<Scope, RequestHook[]>()
  const guardsOf = (scope: Scope) => {
    let hooks = byScope.get(scope)
    if (hooks === undefined) {
      hooks = [guards.limitByIp, guards.authenticate, guards.limitByCredential, requireScope(scope)]
      byScope.set(scope, hooks)
    }
    return hooks
  }

  app.addHook('onRoute', function guardRoute(route) {
    const methods = [route.method].flat()
    const accesses = new Set(methods.map((method) => accessOf(method, route.url)))
    const [access] = accesses
    if (access === undefined || accesses.size > 1) {
      throw new TypeError(
        `route ${methods.join('|')} ${route.url} needs one entry in the route table`,
      )
    }
    const pattern = pathPattern(route.url)
    for (const method of methods) routes.push({ method, url: route.url, access, pattern })
    if (access === 'public') return
    const own = route.onRequest === undefined ? [] : [route.onRequest].flat()
    route.onRequest = [...guardsOf(access), ...own]
  })

  return {
    routes,
    methodsOf(path) {
      return [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort()
    },
  }
}

/** `/v1/tasks/:task_id` → a regular expression matching its concrete paths. */
function pathPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? '[^/]+'
        : segment === '*'
          ? '.*'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/')
  return new RegExp(`^${source}/?$`)
}
