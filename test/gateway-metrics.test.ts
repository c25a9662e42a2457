/**
 * `GET /metrics`: the GPU gauges read through the module executor (here over
 * recorded nvidia-smi output, with a lease held), and the route on the real
 * platform (operator scope; this host has no GPU, so the gauges have no samples).
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCombinedModuleExecutor } from '../src/runtime/combined-executor.js'
import { GpuAllocator } from '../src/runtime/gpu/gpu-allocator.js'
import { parseNvidiaSmi } from '../src/runtime/gpu/nvidia-smi.js'
import { platformMetrics } from '../src/gateway/metrics-route.js'
import { startTestPlatform, type TestPlatform } from './support/platform.js'
import { loadPackages } from '../src/distribution/aip/index.js'

describe('GPU utilisation as metrics', () => {
  it('exports utilisation, memory and the holder of each device', async () => {
    const devices = parseNvidiaSmi(
      await readFile(resolve('test/fixtures/gpu/nvidia-smi-h100x2.csv'), 'utf8'),
    )
    const gpus = await GpuAllocator.create({ detect: async () => ({ devices, notes: [] }) })
    const executor = await createCombinedModuleExecutor({
      packages: await loadPackages(resolve('test/fixtures/modules/subprocess')),
      subprocess: { gpus },
    })
    try {
      const lease = await gpus.acquire('embed', { required: true, vendor: 'nvidia' })
      const text = await platformMetrics(() => executor.devices()).metrics()
      lease.release()
      const leasedIndex = devices.find((d) => d.id === lease.devices[0]?.id)?.index
      for (const d of devices) {
        const labels = `vendor="nvidia",index="${d.index}",name="${d.name}"`
        expect(text).toContain(
          `aion_gpu_utilization_ratio{${labels}} ${d.utilizationPercent! / 100}`,
        )
        expect(text).toContain(`aion_gpu_memory_total_bytes{${labels}} ${d.memoryTotalBytes}`)
        expect(text).toContain(`aion_gpu_memory_used_bytes{${labels}} ${d.memoryUsedBytes}`)
        const module = d.index === leasedIndex ? 'embed' : ''
        expect(text).toContain(`aion_gpu_leased{${labels},module="${module}"} ${module ? 1 : 0}`)
      }
      const after = await platformMetrics(() => executor.devices()).metrics()
      expect(after).not.toContain('module="embed"')
    } finally {
      await executor.close()
    }
  })
})

describe('series the composition adds', () => {
  it('exposes a gauge and a counter with several series, read at each scrape', async () => {
    let published: Record<string, number> = { 'aion.tasks.lifecycle': 2 }
    let backlog = 7
    const metrics = platformMetrics(
      async () => [],
      [
        {
          kind: 'gauge',
          name: 'aion_test_backlog',
          help: 'a gauge read at each scrape',
          labelNames: [],
          read: async () => [{ labels: {}, value: backlog }],
        },
        {
          kind: 'counter',
          name: 'aion_test_published_total',
          help: 'a counter by topic',
          labelNames: ['topic'],
          read: () =>
            Object.entries(published).map(([topic, value]) => ({ labels: { topic }, value })),
        },
      ],
    )
    const first = await metrics.metrics()
    expect(first).toContain('aion_test_backlog 7')
    expect(first).toContain('aion_test_published_total{topic="aion.tasks.lifecycle"} 2')
    published = { 'aion.tasks.lifecycle': 5, 'aion.audit.activity': 1 }
    backlog = 0
    const second = await metrics.metrics()
    expect(second).toContain('aion_test_backlog 0')
    expect(second).toContain('aion_test_published_total{topic="aion.tasks.lifecycle"} 5')
    expect(second).toContain('aion_test_published_total{topic="aion.audit.activity"} 1')
  })
})

describe('GET /metrics', () => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform()
  })
  afterAll(async () => {
    await t.close()
  })

  it('answers the Prometheus text format to an operator key, 401 without a key', async () => {
    const response = await fetch(`${t.url}/metrics`, {
      headers: { authorization: `Bearer ${t.key}` },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    expect(text).toContain('# TYPE aion_gpu_utilization_ratio gauge')
    expect(text).toContain('# TYPE aion_gpu_leased gauge')
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401)
  })
})
