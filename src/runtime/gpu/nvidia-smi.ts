/**
 * NVIDIA GPUs from `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`:
 * one line per GPU, `index, uuid, name, memory.total, memory.used,
 * utilization.gpu` with memory in MiB and `[N/A]` where a value is unsupported.
 */
import { toolNumber, type GpuDevice } from './gpu-device.js'

/** The arguments the parser expects nvidia-smi to be run with. */
export const NVIDIA_SMI_ARGS = [
  '--query-gpu=index,uuid,name,memory.total,memory.used,utilization.gpu',
  '--format=csv,noheader,nounits',
] as const

const MIB = 1024 * 1024

/** The GPUs of nvidia-smi's CSV output; malformed lines are skipped. */
export function parseNvidiaSmi(csv: string): GpuDevice[] {
  const devices: GpuDevice[] = []
  for (const line of csv.split('\n')) {
    const fields = line.split(',').map((field) => field.trim())
    if (fields.length < 6) continue
    // A name may itself hold commas: the first two and last three fields are fixed.
    const [indexText, uuid] = fields
    const [total, used, utilization] = fields.slice(-3)
    const name = fields.slice(2, -3).join(', ')
    const index = toolNumber(indexText)
    if (index === undefined || !uuid) continue
    const totalMib = toolNumber(total)
    const usedMib = toolNumber(used)
    devices.push({
      vendor: 'nvidia',
      index,
      id: uuid,
      name,
      memoryTotalBytes: totalMib === undefined ? undefined : totalMib * MIB,
      memoryUsedBytes: usedMib === undefined ? undefined : usedMib * MIB,
      utilizationPercent: toolNumber(utilization),
      // The device node's minor number is the GPU's minor number, which equals
      // nvidia-smi's index on ordinary hosts (it is `Minor Number` in `nvidia-smi -q`).
      deviceNodes: [`/dev/nvidia${index}`],
    })
  }
  return devices
}

/** Nodes every CUDA process needs besides its GPUs' own; bound when present. */
export const NVIDIA_SHARED_NODES = [
  '/dev/nvidiactl',
  '/dev/nvidia-uvm',
  '/dev/nvidia-uvm-tools',
] as const
