/**
 * Policy reload, versions and rollback (reference §14.2) and the embedded
 * event log, through the admin API.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

let t: TestPlatform
beforeAll(async () => {
  t = await startTestPlatform()
})
afterAll(() => t.close())

function admin(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${t.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${t.key}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
  })
}

describe('policy reload', () => {
  it('refuses a bad set with every error listed and keeps the old one serving', async () => {
    const file = join(t.configDir, 'intents.yml')
    const good = readFileSync(file, 'utf8')
    writeFileSync(
      file,
      good
        .replace('tiers_allowed: [tier0, tier1]', 'tiers_allowed: [tier0, tier7]')
        .replace('vector_usage: false', 'vector_usage: maybe'),
    )
    const refused = await admin('/router/policy/reload', { method: 'POST' })
    expect(refused.status).toBe(422)
    const problem = (await refused.json()) as {
      code: string
      issues: { file: string; code: string }[]
    }
    expect(problem.code).toBe('AION_REGISTRY_INVALID')
    expect(problem.issues.map((issue) => issue.code)).toEqual(
      expect.arrayContaining(['AION_REGISTRY_DANGLING_REF', 'AION_REGISTRY_WRONG_TYPE']),
    )
    writeFileSync(file, good)

    const still = await t.submit(
      { intent: 'summarize', input: { text: 'Still serving. Yes.' } },
      { prefer: 'wait=10' },
    )
    expect(((await still.json()) as { status: string }).status).toBe('succeeded')
  })

  it('activates a new version, lists versions and rolls back', async () => {
    const before = (await (await admin('/router/policy/versions')).json()) as {
      versions: { version: number; active: boolean }[]
    }
    const activeBefore = before.versions.find((v) => v.active)?.version as number

    const policies = join(t.configDir, 'policies.yml')
    writeFileSync(
      policies,
      readFileSync(policies, 'utf8').replace('default_usd: 0.02', 'default_usd: 0.03'),
    )
    const reloaded = await admin('/router/policy/reload', { method: 'POST' })
    expect(reloaded.status).toBe(200)
    const version = (await reloaded.json()) as { version: number; active: boolean }
    expect(version.version).toBeGreaterThan(activeBefore)

    const rolled = await admin('/router/policy/rollback', {
      method: 'POST',
      body: JSON.stringify({ version: activeBefore }),
    })
    expect(rolled.status).toBe(200)
    expect(await rolled.json()).toMatchObject({ version: activeBefore, active: true })

    const unknown = await admin('/router/policy/rollback', {
      method: 'POST',
      body: JSON.stringify({ version: 9999 }),
    })
    expect(unknown.status).toBe(404)
  })

  it('needs the operator scope: a tasks key and a tenant admin are refused', async () => {
    const { mintApiKey } = await import('../../src/core/auth/index.js')
    for (const scopes of [['tasks:write'], ['admin']]) {
      const minted = mintApiKey()
      await t.platform.store.apiKeys.create({
        keyId: minted.keyId,
        secretHash: minted.secretHash,
        name: scopes.join(' '),
        scopes,
      })
      const response = await fetch(`${t.url}/router/policy/reload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${minted.key}` },
      })
      expect(response.status).toBe(403)
      expect(await response.json()).toMatchObject({
        code: 'AION_AUTH_FORBIDDEN',
        scope: 'operator',
      })
    }
  })
})

describe('event log', () => {
  it('records lifecycle, decision, metrics and audit events of a task, in order', async () => {
    const task = (await (
      await t.submit(
        { intent: 'summarize', input: { text: 'Events please. Now.' } },
        { prefer: 'wait=10' },
      )
    ).json()) as { task_id: string }
    const page = (await (await admin('/v1/events?limit=1000')).json()) as {
      events: { id: number; topic: string; key: string | null; payload: unknown }[]
    }
    const mine = page.events.filter((e) => JSON.stringify(e.payload).includes(task.task_id))
    const topics = new Set(mine.map((e) => e.topic))
    for (const topic of [
      'aion.tasks.lifecycle',
      'aion.router.decisions',
      'aion.runtime.metrics',
      'aion.audit.activity',
    ]) {
      expect(topics).toContain(topic)
    }
    const ids = mine.map((e) => e.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))

    const filtered = (await (await admin('/v1/events?topic=aion.audit.activity')).json()) as {
      events: { topic: string }[]
    }
    expect(filtered.events.every((e) => e.topic === 'aion.audit.activity')).toBe(true)
  })
})
