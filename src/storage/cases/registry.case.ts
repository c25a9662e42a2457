import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { RegistryVersionNotFoundError } from '../../core/errors/index.js'
import type { Store } from '../ports/store.js'

const tenant = () => `t_${randomUUID()}`
const sources = (n: number) => ({
  'intents.yml': `summarize:\n  default_route: auto # v${n} — ünïcødé\n`,
  'policies.yml': 'budget:\n  default_usd: 0.02\n',
  'models.yml': 'tiers: {}\n',
  'modules.yml': 'modules: []\n',
})

/** Cases for the `RegistryStore` port. */
export function registryCases(store: () => Store): void {
  it('hands out increasing versions per tenant and reads them back', async () => {
    const tenantId = tenant()
    const r = store().registries
    const first = await r.append({
      tenantId,
      contentHash: 'h1',
      sources: sources(1),
      createdBy: 'startup',
    })
    const second = await r.append({
      tenantId,
      contentHash: 'h2',
      sources: sources(2),
      createdBy: 'reload',
    })
    expect([first.version, second.version]).toEqual([1, 2])
    expect(
      (await r.append({ tenantId: tenant(), contentHash: 'x', sources: {}, createdBy: 'a' }))
        .version,
    ).toBe(1)
    expect(await r.get(1, tenantId)).toStrictEqual({
      tenantId,
      version: 1,
      contentHash: 'h1',
      sources: sources(1),
      createdAt: first.createdAt,
      createdBy: 'startup',
    })
    expect((await r.latest(tenantId))?.contentHash).toBe('h2')
    expect((await r.list(tenantId)).map((v) => [v.version, v.contentHash])).toEqual([
      [1, 'h1'],
      [2, 'h2'],
    ])
    expect(await r.get(3, tenantId)).toBeUndefined()
    expect(await r.latest(tenant())).toBeUndefined()
  })

  it('gives concurrent appends distinct consecutive versions', async () => {
    const tenantId = tenant()
    const appends = Array.from({ length: 12 }, (_, i) =>
      store().registries.append({
        tenantId,
        contentHash: `h${i}`,
        sources: sources(i),
        createdBy: `w${i}`,
      }),
    )
    const versions = (await Promise.all(appends)).map((a) => a.version).sort((a, b) => a - b)
    expect(versions).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    expect((await store().registries.list(tenantId)).length).toBe(12)
  })

  it('sets, reads and rolls back the active version; rejects an unknown one', async () => {
    const tenantId = tenant()
    const r = store().registries
    await r.append({ tenantId, contentHash: 'h1', sources: sources(1), createdBy: 'a' })
    expect(await r.active(tenantId)).toBeUndefined()
    await r.append({ tenantId, contentHash: 'h2', sources: sources(2), createdBy: 'a' })
    await r.setActive(2, tenantId)
    expect((await r.active(tenantId))?.version).toBe(2)
    await r.setActive(1, tenantId)
    expect((await r.active(tenantId))?.sources).toEqual(sources(1))
    await expect(r.setActive(7, tenantId)).rejects.toBeInstanceOf(RegistryVersionNotFoundError)
    await expect(r.setActive(1, tenant())).rejects.toMatchObject({
      code: 'AION_STORE_REGISTRY_VERSION_NOT_FOUND',
    })
    expect((await r.active(tenantId))?.version).toBe(1)
  })

  it('defaults to the default tenant', async () => {
    const r = store().registries
    const appended = await r.append({
      contentHash: 'default-h',
      sources: sources(0),
      createdBy: 'startup',
    })
    await r.setActive(appended.version)
    expect((await r.active())?.contentHash).toBe('default-h')
    expect((await r.latest())?.tenantId).toBe('default')
  })
}
