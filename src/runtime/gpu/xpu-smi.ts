/**
 * Intel GPUs (Level Zero) from `xpu-smi discovery --json`: `{"device_list":
 * [{"device_id", "device_name", "device_type", "uuid", "pci_bdf_address", …}]}`.
 * xpu-smi is Intel's Level-Zero-based management tool; its discovery list
 * carries no memory or utilisation figures, so an Intel GPU matches only
 * requirements without a memory figure. Its render node is found through
 * sysfs (`/sys/bus/pci/devices/<bdf>/drm/renderD*`) or the `drm_device` field
 * that some releases print.
 */
import type { GpuDevice } from './gpu-device.js'

/** The arguments the parser expects xpu-smi to be run with. */
export const XPU_SMI_ARGS = ['discovery', '--json'] as const

interface XpuDevice {
  device_id?: unknown
  device_name?: unknown
  device_type?: unknown
  uuid?: unknown
  pci_bdf_address?: unknown
  drm_device?: unknown
  memory_physical_size_byte?: unknown
}

/** The GPUs of xpu-smi's discovery JSON; `renderNodeOf` maps a PCI address to its render node. */
export function parseXpuSmi(
  json: string,
  renderNodeOf: (pciAddress: string) => string | undefined = () => undefined,
): GpuDevice[] {
  const data = JSON.parse(json) as { device_list?: XpuDevice[] }
  const devices: GpuDevice[] = []
  for (const entry of data.device_list ?? []) {
    if (typeof entry.device_id !== 'number') continue
    if (entry.device_type !== undefined && entry.device_type !== 'GPU') continue
    const bdf = typeof entry.pci_bdf_address === 'string' ? entry.pci_bdf_address : undefined
    const node =
      (bdf && renderNodeOf(bdf)) ??
      (typeof entry.drm_device === 'string' ? entry.drm_device : undefined)
    const memory = Number(entry.memory_physical_size_byte)
    devices.push({
      vendor: 'intel',
      index: entry.device_id,
      id: typeof entry.uuid === 'string' ? entry.uuid : `intel:${entry.device_id}`,
      name: typeof entry.device_name === 'string' ? entry.device_name : 'Intel GPU',
      memoryTotalBytes: Number.isFinite(memory) && memory > 0 ? memory : undefined,
      memoryUsedBytes: undefined,
      utilizationPercent: undefined,
      deviceNodes: node ? [node] : [],
    })
  }
  return devices.sort((a, b) => a.index - b.index)
}
