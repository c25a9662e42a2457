/**
 * Detects GPUs by running the vendors' tools, asynchronously and with a
 * timeout: nvidia-smi (NVIDIA), rocm-smi (AMD), xpu-smi (Intel, Level Zero).
 * A tool that is missing or fails contributes no devices and a note saying why.
 */
import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { GpuDevice } from './gpu-device.js'
import { NVIDIA_SMI_ARGS, parseNvidiaSmi } from './nvidia-smi.js'
import { parseRocmSmi, ROCM_SMI_ARGS } from './rocm-smi.js'
import { parseXpuSmi, XPU_SMI_ARGS } from './xpu-smi.js'

const run = promisify(execFile)

/** What detection found. */
export interface GpuDetection {
  readonly devices: readonly GpuDevice[]
  /** Why a tool gave nothing (`rocm-smi: not installed`). */
  readonly notes: readonly string[]
}

/** Options of {@link detectGpus}. */
export interface GpuDetectOptions {
  /** Per tool. @default 5000 */
  readonly timeoutMs?: number
  /** Root of sysfs, for Intel render nodes. @default '/sys' */
  readonly sysfs?: string
}

async function output(tool: string, args: readonly string[], timeoutMs: number) {
  const { stdout } = await run(tool, [...args], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 })
  return stdout
}

function why(tool: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  return `${tool}: ${code === 'ENOENT' ? 'not installed' : (error as Error).message.split('\n')[0]}`
}

/** The render node of the PCI device at `bdf`, from sysfs. */
async function renderNode(sysfs: string, bdf: string): Promise<string | undefined> {
  const names = await readdir(join(sysfs, 'bus/pci/devices', bdf, 'drm')).catch(() => [])
  const render = names.find((name) => name.startsWith('renderD'))
  return render === undefined ? undefined : `/dev/dri/${render}`
}

async function intelDevices(json: string, sysfs: string): Promise<GpuDevice[]> {
  const bdfs = (JSON.parse(json) as { device_list?: { pci_bdf_address?: unknown }[] }).device_list
    ?.map((d) => d.pci_bdf_address)
    .filter((b): b is string => typeof b === 'string')
  const nodes = new Map<string, string>()
  for (const bdf of bdfs ?? []) {
    const node = await renderNode(sysfs, bdf)
    if (node) nodes.set(bdf, node)
  }
  return parseXpuSmi(json, (bdf) => nodes.get(bdf))
}

/** Runs every vendor's tool and gathers their GPUs. Never throws. */
export async function detectGpus(options: GpuDetectOptions = {}): Promise<GpuDetection> {
  const timeoutMs = options.timeoutMs ?? 5000
  const sysfs = options.sysfs ?? '/sys'
  const probes: [string, () => Promise<GpuDevice[]>][] = [
    [
      'nvidia-smi',
      async () => parseNvidiaSmi(await output('nvidia-smi', NVIDIA_SMI_ARGS, timeoutMs)),
    ],
    ['rocm-smi', async () => parseRocmSmi(await output('rocm-smi', ROCM_SMI_ARGS, timeoutMs))],
    ['xpu-smi', async () => intelDevices(await output('xpu-smi', XPU_SMI_ARGS, timeoutMs), sysfs)],
  ]
  const results = await Promise.allSettled(probes.map(([, probe]) => probe()))
  const devices: GpuDevice[] = []
  const notes: string[] = []
  results.forEach((result, i) => {
    const tool = (probes[i] as [string, unknown])[0]
    if (result.status === 'fulfilled') devices.push(...result.value)
    else notes.push(why(tool, result.reason))
  })
  return { devices, notes }
}
