/** Policy reload, versions and rollback through the real control plane. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, testActor, type Harness } from './control-plane.fixture.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await h?.close()
})

const text = 'Policies change. Tasks keep the version they started with.'

async function decisionVersion(taskId: string): Promise<number> {
  const events = await h.cp.platformEvents(0, 10_000, 'aion.router.decisions')
  const event = events.find((e) => e.key === taskId)!
  return (event.payload as { decision: { registry_version: number } }).decision.registry_version
}

describe('policies', () => {
  it('refuses a bad set with every issue listed and keeps serving the old one', async () => {
    const sources = { ...h.set.sources, 'policies.yml': 'budget: {default_usd: -1}\nlatency: 3\n' }
    const error = await h.cp.reloadPolicies(testActor, sources).catch((e) => e)
    expect(error.code).toBe('AION_REGISTRY_INVALID')
    expect(error.fields.issues.length).toBeGreaterThan(1)
    const versions = await h.cp.policyVersions('default')
    expect(versions).toEqual([expect.objectContaining({ version: h.version, active: true })])
    const audit = (await h.cp.platformEvents(0, 1000, 'aion.audit.activity')).map((e) => e.payload)
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'policy.reload', outcome: 'failure' }),
    )
  })

  it('reloading the same files reuses the active version', async () => {
    const same = await h.cp.reloadPolicies(testActor)
    expect(same).toMatchObject({ version: h.version, active: true })
  })

  it('swaps atomically: a task in flight finishes under its version, new ones use the new one', async () => {
    h.upstream.script({ delayMs: 300 })
    const inFlight = await h.submit({ intent: 'summarize', input: { text }, route: 'api' })
    const sources = { ...h.set.sources, 'intents.yml': `${h.set.sources['intents.yml']}\n# v2\n` }
    const v2 = await h.cp.reloadPolicies(testActor, sources)
    expect(v2).toMatchObject({ version: h.version + 1, active: true, createdBy: 'api_key:k_test' })
    const next = await h.submit({ intent: 'summarize', input: { text }, route: 'local' })
    expect((await h.cp.waitForEnd('default', inFlight.task_id, 5000)).status).toBe('succeeded')
    expect((await h.cp.waitForEnd('default', next.task_id, 5000)).status).toBe('succeeded')
    expect(await decisionVersion(inFlight.task_id)).toBe(h.version)
    expect(await decisionVersion(next.task_id)).toBe(v2.version)
    expect((await h.store.registries.active())?.version).toBe(v2.version)
    expect(h.cp.activeRegistries.version).toBe(v2.version)
    expect(h.cp.activeRegistries.set.sources['intents.yml']).toContain('# v2')
  })

  it('rolls back to an earlier version; an unknown version is not found', async () => {
    const back = await h.cp.rollbackPolicies(testActor, h.version)
    expect(back).toMatchObject({ version: h.version, active: true })
    const versions = await h.cp.policyVersions('default')
    expect(versions.map((v) => [v.version, v.active])).toEqual([
      [h.version, true],
      [h.version + 1, false],
    ])
    expect((await h.store.registries.active())?.version).toBe(h.version)
    const task = await h.submit({ intent: 'summarize', input: { text }, route: 'local' })
    await h.cp.waitForEnd('default', task.task_id, 5000)
    expect(await decisionVersion(task.task_id)).toBe(h.version)
    await expect(h.cp.rollbackPolicies(testActor, 99)).rejects.toMatchObject({
      kind: 'not_found',
    })
    const audit = (await h.cp.platformEvents(0, 1000, 'aion.audit.activity')).map((e) => e.payload)
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'policy.rollback',
        outcome: 'success',
        actor: { kind: 'api_key', id: 'k_test' },
      }),
    )
  })
})
