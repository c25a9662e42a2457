import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import type { Store } from '../ports/store.js'

const tenant = () => `t_${randomUUID()}`

/** Cases for the `UsageStore`, `AuditStore`, `AgentStore`, `ModuleStore` and `ModelStore` ports. */
export function meteringCases(store: () => Store): void {
  it('records usage exactly and sums cost per tenant, optionally since a time', async () => {
    const tenantId = tenant()
    const usage = store().usage
    const costs = [0.000123456789012345, 0.1, 0.2, 1.5e-9]
    const records = []
    for (const [i, costUsd] of costs.entries()) {
      records.push(
        await usage.record({
          tenantId,
          taskId: i < 2 ? 'tsk_a' : 'tsk_b',
          provider: 'openai',
          model: 'gpt-4.1-mini',
          inputTokens: 100 * i,
          outputTokens: 7,
          costUsd,
          durationMs: 12,
          createdAt: new Date(Date.UTC(2024, 0, 1 + i)).toISOString(),
        }),
      )
    }
    expect(records.map((r) => r.costUsd)).toEqual(costs)
    expect(await usage.listByTask(tenantId, 'tsk_a')).toStrictEqual(records.slice(0, 2))
    expect(await usage.sumCost(tenantId)).toBeCloseTo(
      costs.reduce((a, b) => a + b, 0),
      15,
    )
    expect(await usage.sumCost(tenantId, '2024-01-03T00:00:00.000Z')).toBeCloseTo(0.2 + 1.5e-9, 15)
    expect(await usage.sumCost(tenant())).toBe(0)
    const since = '2024-01-02T00:00:00.000Z'
    const other = tenant()
    await usage.record({
      tenantId: other,
      taskId: 'tsk_c',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 0.5,
      durationMs: 1,
      createdAt: since,
    })
    const byTenant = await usage.sumCostByTenant(since)
    expect(byTenant.get(tenantId)).toBeCloseTo(0.1 + 0.2 + 1.5e-9, 15)
    expect(byTenant.get(other)).toBe(0.5)
  })

  it('appends audit records and lists them in order, by action and cursor', async () => {
    const tenantId = tenant()
    const audit = store().audit
    const a = await audit.append({
      tenantId,
      actor: 'key_1',
      action: 'policy.reload',
      target: 'registries',
      outcome: 'success',
      details: { version: 3, errors: [] },
    })
    const b = await audit.append({
      tenantId,
      actor: 'key_2',
      action: 'task.cancel',
      target: 'tsk_1',
      outcome: 'denied',
    })
    await audit.append({
      tenantId: tenant(),
      actor: 'x',
      action: 'task.cancel',
      target: 'y',
      outcome: 'failure',
    })
    expect(await audit.list(tenantId)).toStrictEqual([a, b])
    expect(a.details).toEqual({ version: 3, errors: [] })
    expect(b.details).toBeNull()
    expect((await audit.list(tenantId, { action: 'task.cancel' })).map((r) => r.id)).toEqual([b.id])
    expect(await audit.list(tenantId, { afterId: a.id })).toStrictEqual([b])
  })

  it('records many usage rows and audit entries in order without reading them back', async () => {
    const tenantId = tenant()
    const usage = Array.from({ length: 130 }, (_, n) => ({
      tenantId,
      taskId: 'tsk_many',
      provider: n % 2 ? 'openai' : null,
      model: n % 2 ? 'gpt-4.1-mini' : null,
      module: n % 2 ? null : 'summarize_text',
      inputTokens: n,
      outputTokens: 2 * n,
      costUsd: n / 1000,
      durationMs: n + 1,
      createdAt: '2025-01-02T03:04:05.678Z',
    }))
    await store().transaction((tx) => tx.usage.recordMany(usage))
    const rows = await store().usage.listByTask(tenantId, 'tsk_many')
    expect(rows.map((r) => [r.inputTokens, r.provider, r.module, r.costUsd])).toEqual(
      usage.map((u) => [u.inputTokens, u.provider, u.module, u.costUsd]),
    )
    expect(rows[129]?.createdAt).toBe('2025-01-02T03:04:05.678Z')
    const entries = Array.from({ length: 3 }, (_, n) => ({
      tenantId,
      actor: 'api_key:k1',
      action: 'task.submit',
      target: `tsk_${n}`,
      outcome: 'success' as const,
      details: n ? { n } : null,
    }))
    await store().audit.appendMany(entries)
    await store().audit.appendMany([])
    const audit = await store().audit.list(tenantId)
    expect(audit.map((a) => [a.target, a.details])).toEqual([
      ['tsk_0', null],
      ['tsk_1', { n: 1 }],
      ['tsk_2', { n: 2 }],
    ])
  })

  it('upserts agents, modules and models, keeping the first creation time', async () => {
    const tenantId = tenant()
    const s = store()
    await s.agents.upsert({
      tenantId,
      agentId: 'ag1',
      name: 'first',
      spec: { steps: [] },
      at: '2024-01-01T00:00:00.000Z',
    })
    const agent = await s.agents.upsert({
      tenantId,
      agentId: 'ag1',
      name: 'second',
      spec: { steps: ['ocr'] },
    })
    expect(agent).toMatchObject({
      name: 'second',
      spec: { steps: ['ocr'] },
      createdAt: '2024-01-01T00:00:00.000Z',
    })
    expect(await s.agents.get(tenantId, 'ag1')).toStrictEqual(agent)
    expect(await s.agents.list(tenant())).toEqual([])

    const module = {
      tenantId,
      name: 'summarize_text',
      version: '1.3.0',
      digest: 'sha256:ab',
      runtime: 'wasm' as const,
    }
    await s.modules.upsert({
      ...module,
      status: 'installed',
      signerKeyId: 'cosign:k1',
      sbomRef: 'sha256:sbom',
    })
    const bad = await s.modules.upsert({
      ...module,
      version: '1.4.0',
      status: 'quarantined',
      reason: 'signature invalid',
    })
    expect(bad).toMatchObject({
      status: 'quarantined',
      reason: 'signature invalid',
      signerKeyId: null,
      manifest: null,
    })
    expect((await s.modules.list(tenantId)).map((m) => m.version)).toEqual(['1.3.0', '1.4.0'])
    expect((await s.modules.list(tenantId, { status: 'installed' })).map((m) => m.version)).toEqual(
      ['1.3.0'],
    )
    expect(await s.modules.get(tenantId, 'summarize_text', '1.4.0')).toStrictEqual(bad)

    await s.models.upsert({
      tenantId,
      provider: 'openai',
      name: 'gpt-4.1',
      tier: 'tier2',
      inputPricePer1kUsd: 0.002,
      outputPricePer1kUsd: 0.008,
    })
    const local = await s.models.upsert({
      tenantId,
      provider: 'ollama',
      name: 'qwen2.5',
      tier: 'tier0',
      inputPricePer1kUsd: 0,
      outputPricePer1kUsd: 0,
    })
    expect((await s.models.list(tenantId)).map((m) => `${m.provider}:${m.name}`)).toEqual([
      'ollama:qwen2.5',
      'openai:gpt-4.1',
    ])
    expect(await s.models.get(tenantId, 'ollama', 'qwen2.5')).toStrictEqual(local)
    expect((await s.models.get(tenantId, 'openai', 'gpt-4.1'))?.outputPricePer1kUsd).toBe(0.008)
  })
}
