/** The runtime room: AIP packages and the executors that run them. */
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
} from './wasm-module-executor.js'
export { loadPackage, loadPackages, MANIFEST_FILE } from './aip-package.js'
export type { LoadedPackage, QuarantinedPackage } from './aip-package.js'
