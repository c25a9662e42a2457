/**
 * GPU detection parsing on recorded tool outputs (test/fixtures/gpu), and
 * placement: vendor, count and free memory decide which devices a call gets,
 * leases make devices busy until released, and the routing-time check agrees.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AionError } from '../../core/errors/index.js'
import { loadPackages } from '../../distribution/aip/index.js'
import { GpuAllocator, placeGpus } from './gpu-allocator.js'
import { detectGpus } from './gpu-detect.js'
import type { GpuDevice } from './gpu-device.js'
import { parseNvidiaSmi } from './nvidia-smi.js'
import { parseRocmSmi } from './rocm-smi.js'
import { parseXpuSmi } from './xpu-smi.js'

const fixture = (name: string) => readFileSync(join(resolve('test/fixtures/gpu'), name), 'utf8')
const MIB = 1024 ** 2

const h100s = parseNvidiaSmi(fixture('nvidia-smi-h100x2.csv'))
const mi250s = parseRocmSmi(fixture('rocm-smi-mi250.json'))
const maxes = parseXpuSmi(fixture('xpu-smi-discovery.json'), (bdf) =>
  bdf === '0000:29:00.0' ? '/dev/dri/renderD128' : undefined,
)

describe('parsing', () => {
  it('nvidia-smi CSV captured on a real H100 host (scripts/gpu-check.sh)', () => {
    expect(parseNvidiaSmi(fixture('nvidia-smi-h100-captured.csv'))).toEqual([
      {
        vendor: 'nvidia',
        index: 0,
        id: 'GPU-c414862b-32c5-440b-f0c9-cabc22bdab09',
        name: 'NVIDIA H100 80GB HBM3',
        memoryTotalBytes: 81559 * MIB,
        memoryUsedBytes: 0,
        utilizationPercent: 0,
        deviceNodes: ['/dev/nvidia0'],
      },
    ])
  })

  it('nvidia-smi CSV: index, UUID, name, memory in MiB, utilisation', () => {
    expect(h100s).toHaveLength(2)
    expect(h100s[1]).toEqual({
      vendor: 'nvidia',
      index: 1,
      id: 'GPU-8e2f4a10-3b7d-4c69-a1e5-77d0b9c3f852',
      name: 'NVIDIA H100 80GB HBM3',
      memoryTotalBytes: 81559 * MIB,
      memoryUsedBytes: 40123 * MIB,
      utilizationPercent: 97,
      deviceNodes: ['/dev/nvidia1'],
    })
  })

  it('nvidia-smi [N/A] reads as unknown, not zero', () => {
    const [t4] = parseNvidiaSmi(fixture('nvidia-smi-na.csv'))
    expect(t4?.utilizationPercent).toBeUndefined()
    expect(t4?.memoryTotalBytes).toBe(15360 * MIB)
  })

  it('rocm-smi JSON of ROCm 5 and ROCm 6 keys', () => {
    expect(mi250s.map((d) => [d.index, d.id, d.utilizationPercent, d.memoryUsedBytes])).toEqual([
      [0, 'amd:0', 0, 11014144],
      [1, 'amd:1', 63, 51539607552],
    ])
    expect(mi250s[0]?.name).toBe('AMD GPU 0x740c')
    expect(mi250s[1]?.deviceNodes).toEqual(['/dev/dri/renderD129'])
    const [mi300] = parseRocmSmi(fixture('rocm-smi-mi300x.json'))
    expect(mi300).toMatchObject({ name: 'AMD Instinct MI300X', memoryTotalBytes: 206141652992 })
  })

  it('xpu-smi discovery JSON, render nodes from sysfs or drm_device', () => {
    expect(maxes.map((d) => [d.index, d.id, d.deviceNodes])).toEqual([
      [0, '00000000-0000-0029-0000-002f0bd58086', ['/dev/dri/renderD128']],
      [1, '00000000-0000-003a-0000-002f0bd58086', ['/dev/dri/card2']],
    ])
    expect(maxes[0]?.memoryTotalBytes).toBeUndefined()
  })

  it('detectGpus runs the tools and notes each that gave nothing', async () => {
    const { devices, notes } = await detectGpus({ timeoutMs: 2000 })
    for (const note of notes) expect(note).toMatch(/^(nvidia-smi|rocm-smi|xpu-smi): /)
    expect(devices.length + notes.length).toBeGreaterThan(0)
  })
})

describe('placeGpus', () => {
  const none = new Set<string>()

  it('gives the device with the most free memory first', () => {
    const placed = placeGpus(
      { required: true, vendor: 'nvidia', count: 1, memory: '40Gi' },
      h100s,
      none,
    )
    expect('devices' in placed && placed.devices.map((d) => d.index)).toEqual([0])
  })

  it('refuses when not enough devices have the memory free, and says how many do', () => {
    const placed = placeGpus(
      { required: true, vendor: 'nvidia', count: 2, memory: '50Gi' },
      h100s,
      none,
    )
    expect(placed).toEqual({ reason: '1 of 2 nvidia GPU(s) free with 50Gi free; 2 needed' })
  })

  it('refuses another vendor, and devices other calls hold', () => {
    expect(placeGpus({ required: true, vendor: 'amd' }, h100s, none)).toEqual({
      reason: 'no amd GPU detected',
    })
    const held = new Set(h100s.map((d) => d.id))
    expect('reason' in placeGpus({ required: true, vendor: 'nvidia' }, h100s, held)).toBe(true)
  })

  it('never matches an Intel device to a memory figure it does not report', () => {
    expect(
      'reason' in placeGpus({ required: true, vendor: 'intel', memory: '1Gi' }, maxes, none),
    ).toBe(true)
    const placed = placeGpus({ required: true, vendor: 'intel', count: 2 }, maxes, none)
    expect('devices' in placed && placed.devices).toHaveLength(2)
  })
})

describe('GpuAllocator', () => {
  const allocatorOf = (devices: GpuDevice[]) =>
    GpuAllocator.create({ detect: async () => ({ devices, notes: [] }) })

  it('leases devices to one call at a time and frees them on release', async () => {
    const gpus = await allocatorOf(h100s)
    const policy = { required: true, vendor: 'nvidia', count: 1, memory: '20Gi' } as const
    const first = await gpus.acquire('embed', policy)
    expect(first.env).toEqual({ CUDA_VISIBLE_DEVICES: 'GPU-5c0b1d67-9a2f-4e7c-8b53-1a6f0c2d9e41' })
    const second = await gpus.acquire('ocr', policy)
    expect(second.devices.map((d) => d.index)).toEqual([1])
    expect(gpus.available(policy)).toMatchObject({ ok: false })
    const refused = await gpus.acquire('third', policy).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(AionError)
    expect((refused as AionError).code).toBe('AION_MODULE_GPU_UNAVAILABLE')
    expect(gpus.readings().map((r) => [r.index, r.leasedBy, r.utilizationPercent])).toEqual([
      [0, 'embed', 0],
      [1, 'ocr', 97],
    ])
    first.release()
    expect(gpus.available(policy)).toEqual({ ok: true })
    second.release()
  })

  it('binds only device nodes that exist on this host', async () => {
    const gpus = await allocatorOf(h100s)
    const lease = await gpus.acquire('embed', { required: true, vendor: 'nvidia' })
    for (const node of lease.deviceNodes) expect(node).toMatch(/^\/dev\/nvidia/)
    lease.release()
  })

  it('names devices by index for AMD and Intel', async () => {
    const amd = await (
      await allocatorOf(mi250s)
    ).acquire('m', { required: true, vendor: 'amd', count: 2 })
    expect(amd.env).toEqual({ ROCR_VISIBLE_DEVICES: '0,1' })
    const intel = await (await allocatorOf(maxes)).acquire('m', { required: true, vendor: 'intel' })
    expect(intel.env).toEqual({ ZE_AFFINITY_MASK: '0' })
  })

  it('leases nothing for a module that needs no GPU', async () => {
    const gpus = await allocatorOf(h100s)
    expect(gpus.available({ required: false, vendor: 'none' })).toEqual({ ok: true })
    const lease = await gpus.acquire('cpu_only', undefined)
    expect(lease).toMatchObject({ devices: [], env: {}, deviceNodes: [] })
  })
})

describe('the CUDA check package (test/fixtures/gpu/cuda_vector_add)', () => {
  it('passes every package check once its binary is there, asking for one NVIDIA GPU', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aion-cuda-pkg-'))
    try {
      const pkgDir = join(dir, 'cuda_vector_add')
      cpSync(resolve('test/fixtures/gpu/cuda_vector_add'), pkgDir, { recursive: true })
      // nvcc builds the real one on a GPU host; a stand-in executable is enough here.
      writeFileSync(join(pkgDir, 'vector_add'), '#!/bin/sh\n', { mode: 0o755 })
      const { subprocess, quarantined } = await loadPackages(dir)
      expect(quarantined).toEqual([])
      expect(subprocess.map((p) => p.descriptor.name)).toEqual(['cuda_vector_add'])
      expect(subprocess[0]?.manifest.runtime.resources.gpu).toMatchObject({
        required: true,
        vendor: 'nvidia',
        count: 1,
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
