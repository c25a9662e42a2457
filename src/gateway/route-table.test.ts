import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { accessOf, registerRouteTable, routeTable, type RouteGuards } from './route-table.js'

const calls: string[] = []
const hook = (name: string) => async () => {
  calls.push(name)
}
const guards: RouteGuards = {
  limitByIp: hook('ip'),
  authenticate: hook('authenticate'),
  limitByCredential: hook('credential'),
}

describe('the route table', () => {
  it('refuses at startup a route it does not list', () => {
    const app = Fastify()
    registerRouteTable(app, guards)
    expect(() => app.get('/v1/secret', async () => ({}))).toThrow(
      /not in the gateway's route table|route table/,
    )
  })

  it("puts the guards before a route's own hooks, and none on a public route", async () => {
    const app = Fastify()
    const index = registerRouteTable(app, guards)
    app.get('/healthz', async () => ({ ok: true }))
    app.get('/v1/tasks/:task_id', { onRequest: hook('own') }, async () => ({ ok: true }))
    await app.ready()

    calls.length = 0
    await app.inject({ method: 'GET', url: '/healthz' })
    expect(calls).toEqual([])
    const answer = await app.inject({ method: 'GET', url: '/v1/tasks/t1' })
    // requireScope finds no actor (these hooks authenticate nobody) and refuses before `own`.
    expect(answer.json()).toMatchObject({ code: 'AION_AUTH_MISSING' })
    expect(calls).toEqual(['ip', 'authenticate', 'credential'])
    expect(index.methodsOf('/v1/tasks/t1')).toEqual(['GET', 'HEAD'])
    expect(index.methodsOf('/v1/nothing')).toEqual([])
    await app.close()
  })

  it("gives a HEAD route its GET's access, and the shared routes to the operator only", () => {
    expect(accessOf('HEAD', '/metrics')).toBe('operator')
    expect(accessOf('GET', '/v1/events')).toBe('admin')
    for (const route of ['GET /v1/keys', 'POST /v1/keys', 'POST /v1/keys/:key_id/revoke']) {
      const [method, url] = route.split(' ') as [string, string]
      expect(accessOf(method, url), route).toBe('admin')
    }
    const operatorOnly = Object.entries(routeTable).filter(([, access]) => access === 'operator')
    expect(operatorOnly.map(([route]) => route).sort()).toEqual([
      'GET /metrics',
      'GET /router/policy/versions',
      'GET /v1/admin/modules',
      'POST /router/policy/reload',
      'POST /router/policy/rollback',
      'POST /v1/admin/modules/install',
    ])
  })
})
