/**
 * A GPU as the detection tools report it, whichever vendor: enough to place a
 * module (vendor, memory, whether it is free) and to hand the module only its
 * device (the device nodes to bind, the id for the vendor's visibility variable).
 */

/** GPU vendors the manifest's `runtime.resources.gpu.vendor` names. */
export type GpuVendor = 'nvidia' | 'amd' | 'intel'

/** One detected GPU. */
export interface GpuDevice {
  readonly vendor: GpuVendor
  /** The tool's index (nvidia-smi index, rocm-smi card number, xpu-smi device id). */
  readonly index: number
  /** A stable identifier: the UUID where the tool gives one, else `<vendor>:<index>`. */
  readonly id: string
  readonly name: string
  /** Undefined when the tool does not report it. */
  readonly memoryTotalBytes: number | undefined
  readonly memoryUsedBytes: number | undefined
  /** Current utilisation, 0–100; undefined when not reported. */
  readonly utilizationPercent: number | undefined
  /** Device nodes of this GPU alone (`/dev/nvidia0`, `/dev/dri/renderD128`). */
  readonly deviceNodes: readonly string[]
}

/** A number from a tool's text field; undefined for `[N/A]`, `N/A`, empty and the like. */
export function toolNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const trimmed = text.trim()
  if (!/^[0-9]+(\.[0-9]+)?$/.test(trimmed)) return undefined
  return Number(trimmed)
}
