/**
 * AMD GPUs from `rocm-smi --showid --showmeminfo vram --showuse --json`: an
 * object keyed `card0`, `card1`, … (plus `system`), each with string values:
 * `GPU ID` (older releases) or `Device ID`, `VRAM Total Memory (B)`,
 * `VRAM Total Used Memory (B)`, `GPU use (%)`, and with newer releases
 * `Device Name` and `Unique ID`.
 */
import { toolNumber, type GpuDevice } from './gpu-device.js'

/** The arguments the parser expects rocm-smi to be run with. */
export const ROCM_SMI_ARGS = ['--showid', '--showmeminfo', 'vram', '--showuse', '--json'] as const

/** Render nodes are numbered from 128 in card order (`/dev/dri/renderD128` is card 0). */
const RENDER_NODE_BASE = 128

function field(card: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = card[name]
    if (typeof value === 'string' || typeof value === 'number') return String(value)
  }
  return undefined
}

/** The GPUs of rocm-smi's JSON output; throws on text that is not JSON. */
export function parseRocmSmi(json: string): GpuDevice[] {
  const data = JSON.parse(json) as Record<string, unknown>
  const devices: GpuDevice[] = []
  for (const [key, value] of Object.entries(data)) {
    const match = /^card(\d+)$/.exec(key)
    if (!match || typeof value !== 'object' || value === null) continue
    const card = value as Record<string, unknown>
    const index = Number(match[1])
    const uniqueId = field(card, 'Unique ID')
    devices.push({
      vendor: 'amd',
      index,
      id: uniqueId && uniqueId !== 'N/A' ? uniqueId : `amd:${index}`,
      name:
        field(card, 'Device Name', 'Card series', 'Card Series') ??
        `AMD GPU ${field(card, 'Device ID', 'GPU ID') ?? index}`,
      memoryTotalBytes: toolNumber(field(card, 'VRAM Total Memory (B)')),
      memoryUsedBytes: toolNumber(field(card, 'VRAM Total Used Memory (B)')),
      utilizationPercent: toolNumber(field(card, 'GPU use (%)')),
      deviceNodes: [`/dev/dri/renderD${RENDER_NODE_BASE + index}`],
    })
  }
  return devices.sort((a, b) => a.index - b.index)
}

/** The node every ROCm process needs besides its GPUs' render nodes. */
export const AMD_SHARED_NODES = ['/dev/kfd'] as const
