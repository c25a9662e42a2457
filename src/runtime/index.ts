/** The runtime room: the executors that run checked packages, and their sandboxes. */
export type {
  ModuleDescriptor,
  ModuleExecutor,
  ModuleResult,
  ModuleRun,
} from './module-executor.js'
export {
  createModuleExecutor,
  type ClosableModuleExecutor,
  type ModuleExecutorOptions,
} from './wasm/wasm-module-executor.js'
export {
  createCombinedModuleExecutor,
  type CombinedExecutorOptions,
  type CombinedModuleExecutor,
} from './combined-executor.js'
export {
  createSubprocessExecutor,
  type SandboxLogger,
  type SubprocessExecutorOptions,
  type SubprocessModuleExecutor,
} from './subprocess/subprocess-executor.js'
export { probeSandbox, type SandboxStatus, type SandboxUser } from './subprocess/sandbox-probe.js'
export type { EgressResolver } from './subprocess/egress-proxy.js'
export { detectCgroups, type CgroupSupport } from './subprocess/cgroups.js'
export {
  MANIFEST_FILE,
  type AnyLoadedPackage,
  type LoadedPackage,
  type LoadedPackages,
  type LoadedSubprocessPackage,
  type QuarantinedPackage,
} from './module-package.js'
export {
  detectGpus,
  GpuAllocator,
  type GpuAvailability,
  type GpuDevice,
  type GpuLease,
  type GpuReading,
} from './gpu/index.js'
