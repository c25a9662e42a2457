/** GPU detection, placement and utilisation for subprocess modules. */
export type { GpuDevice, GpuVendor } from './gpu-device.js'
export { detectGpus, type GpuDetection, type GpuDetectOptions } from './gpu-detect.js'
export {
  GpuAllocator,
  needsGpu,
  placeGpus,
  type GpuAllocatorOptions,
  type GpuAvailability,
  type GpuLease,
  type GpuReading,
} from './gpu-allocator.js'
export { parseNvidiaSmi } from './nvidia-smi.js'
export { parseRocmSmi } from './rocm-smi.js'
export { parseXpuSmi } from './xpu-smi.js'
