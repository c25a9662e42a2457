/**
 * GPU placement: a module's `runtime.resources.gpu` (required, vendor, count,
 * memory per device) is matched against the detected GPUs that no other call
 * holds. A placement leases its devices for one call and says what the
 * subprocess may see: the vendor's visibility variable (`CUDA_VISIBLE_DEVICES`,
 * `ROCR_VISIBLE_DEVICES`, `ZE_AFFINITY_MASK`) and the device nodes to bind.
 * {@link GpuAllocator.available} answers the same question without leasing, for
 * the router at routing time; {@link GpuAllocator.readings} exports utilisation.
 */
import { access } from 'node:fs/promises'
import type { GpuPolicy } from '../../../contracts/generated/index.js'
import { ModuleGpuUnavailableError } from '../../core/errors/index.js'
import { quantityBytes } from '../wasm/wasm-checks.js'
import type { GpuDevice, GpuVendor } from './gpu-device.js'
import { detectGpus, type GpuDetection } from './gpu-detect.js'
import { NVIDIA_SHARED_NODES } from './nvidia-smi.js'
import { AMD_SHARED_NODES } from './rocm-smi.js'
import type { DeviceReading } from '../module-executor.js'

/** The answer of {@link GpuAllocator.available}. */
export type GpuAvailability =
  { readonly ok: true } | { readonly ok: false; readonly reason: string }

/** Devices held by one call; release them when the call ends. */
export interface GpuLease {
  readonly devices: readonly GpuDevice[]
  /** Variables that limit the process to its devices. */
  readonly env: Readonly<Record<string, string>>
  /** Device nodes to bind into the sandbox (only those that exist on the host). */
  readonly deviceNodes: readonly string[]
  release(): void
}

/** One GPU's current reading, for the utilisation metric (the executor port's shape). */
export interface GpuReading extends DeviceReading {
  readonly vendor: GpuVendor
}

const visibility: Record<GpuVendor, string> = {
  nvidia: 'CUDA_VISIBLE_DEVICES',
  amd: 'ROCR_VISIBLE_DEVICES',
  intel: 'ZE_AFFINITY_MASK',
}

const sharedNodes: Record<GpuVendor, readonly string[]> = {
  nvidia: NVIDIA_SHARED_NODES,
  amd: AMD_SHARED_NODES,
  intel: [],
}

/** Whether the policy asks for a GPU at all. */
export function needsGpu(
  policy: GpuPolicy | undefined,
): policy is GpuPolicy & { vendor: GpuVendor } {
  return policy !== undefined && policy.required && policy.vendor !== 'none'
}

/**
 * The devices to give a call, best first (most free memory, then lowest index),
 * or why none fit. Pure: `held` holds the ids other calls lease.
 */
export function placeGpus(
  policy: GpuPolicy & { vendor: GpuVendor },
  devices: readonly GpuDevice[],
  held: ReadonlySet<string>,
): { readonly devices: GpuDevice[] } | { readonly reason: string } {
  const count = policy.count ?? 1
  const needBytes = policy.memory === undefined ? undefined : quantityBytes(policy.memory)
  const ofVendor = devices.filter((d) => d.vendor === policy.vendor)
  if (ofVendor.length === 0) return { reason: `no ${policy.vendor} GPU detected` }
  const free = (d: GpuDevice) =>
    d.memoryTotalBytes === undefined ? undefined : d.memoryTotalBytes - (d.memoryUsedBytes ?? 0)
  const fitting = ofVendor.filter((d) => {
    if (needBytes === undefined) return true
    const bytes = free(d)
    return bytes !== undefined && bytes >= needBytes
  })
  const candidates = fitting
    .filter((d) => !held.has(d.id))
    .sort((a, b) => (free(b) ?? 0) - (free(a) ?? 0) || a.index - b.index)
  if (candidates.length >= count) return { devices: candidates.slice(0, count) }
  const memory = policy.memory === undefined ? '' : ` with ${policy.memory} free`
  return {
    reason: `${candidates.length} of ${ofVendor.length} ${policy.vendor} GPU(s) free${memory}; ${count} needed`,
  }
}

async function existing(paths: readonly string[]): Promise<string[]> {
  const found = await Promise.all(
    paths.map((p) =>
      access(p).then(
        () => p,
        () => undefined,
      ),
    ),
  )
  return found.filter((p): p is string => p !== undefined)
}

/** Options of {@link GpuAllocator.create}. */
export interface GpuAllocatorOptions {
  /** Where devices come from. @default {@link detectGpus} */
  readonly detect?: () => Promise<GpuDetection>
  /** How old a detection may be before `refresh` runs the tools again. @default 5000 */
  readonly maxAgeMs?: number
}

/** Leases GPUs to calls; one instance per platform. */
export class GpuAllocator {
  private readonly held = new Map<string, string>()
  private detectedAt = 0

  private constructor(
    private detection: GpuDetection,
    private readonly detect: () => Promise<GpuDetection>,
    private readonly maxAgeMs: number,
  ) {}

  /** Detects devices once and returns the allocator. */
  static async create(options: GpuAllocatorOptions = {}): Promise<GpuAllocator> {
    const detect = options.detect ?? (() => detectGpus())
    const allocator = new GpuAllocator(await detect(), detect, options.maxAgeMs ?? 5000)
    allocator.detectedAt = Date.now()
    return allocator
  }

  /** The devices of the last detection and the notes of tools that gave none. */
  detected(): GpuDetection {
    return this.detection
  }

  /** Runs detection again when the last one is older than `maxAgeMs`. */
  async refresh(): Promise<void> {
    if (Date.now() - this.detectedAt < this.maxAgeMs) return
    this.detection = await this.detect()
    this.detectedAt = Date.now()
  }

  /** Whether a call with this policy could be placed now (routing-time check; leases nothing). */
  available(policy: GpuPolicy | undefined): GpuAvailability {
    if (!needsGpu(policy)) return { ok: true }
    const placed = placeGpus(policy, this.detection.devices, new Set(this.held.keys()))
    return 'reason' in placed ? { ok: false, reason: placed.reason } : { ok: true }
  }

  /** Leases devices for one call of `module`; throws AION_MODULE_GPU_UNAVAILABLE when none fit. */
  async acquire(module: string, policy: GpuPolicy | undefined): Promise<GpuLease> {
    if (!needsGpu(policy))
      return { devices: [], env: {}, deviceNodes: [], release: () => undefined }
    const placed = placeGpus(policy, this.detection.devices, new Set(this.held.keys()))
    if ('reason' in placed) {
      const count = policy.count ?? 1
      throw new ModuleGpuUnavailableError({
        module,
        vendor: policy.vendor,
        count,
        reason: placed.reason,
      })
    }
    for (const device of placed.devices) this.held.set(device.id, module)
    const ids = placed.devices.map((d) => (policy.vendor === 'nvidia' ? d.id : String(d.index)))
    const nodes = [...placed.devices.flatMap((d) => d.deviceNodes), ...sharedNodes[policy.vendor]]
    let released = false
    return {
      devices: placed.devices,
      env: { [visibility[policy.vendor]]: ids.join(',') },
      deviceNodes: await existing(nodes),
      release: () => {
        if (released) return
        released = true
        for (const device of placed.devices) this.held.delete(device.id)
      },
    }
  }

  /** Current readings of every detected GPU (the utilisation metric). */
  readings(): GpuReading[] {
    return this.detection.devices.map((d) => ({
      vendor: d.vendor,
      index: d.index,
      id: d.id,
      name: d.name,
      utilizationPercent: d.utilizationPercent,
      memoryUsedBytes: d.memoryUsedBytes,
      memoryTotalBytes: d.memoryTotalBytes,
      leasedBy: this.held.get(d.id),
    }))
  }
}
