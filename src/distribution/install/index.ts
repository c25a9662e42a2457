/** Installs of AIP packages from OCI registries: verify, store, register, or quarantine. */
export { isArtifactFault } from './artifact-pull.js'
export type {
  InstalledPackage,
  InstallLogger,
  InstallOutcome,
  PackageInstallerOptions,
  QuarantinedInstall,
} from './install-types.js'
export { PackageInstaller, packageObjectKey } from './package-installer.js'
export {
  identityOf,
  quarantineError,
  type PackageIdentity,
  type QuarantineReason,
} from './quarantine.js'
export { installAudit, type InstallAudit } from './install-audit.js'
export {
  createReloadableExecutor,
  type ReloadableModuleExecutor,
  type ReloadReport,
} from './reloadable-executor.js'
export { resolveModuleRefs, type ModuleRefResolution, type ModuleRefStatus } from './module-refs.js'
export { installPort } from './install-port.js'
export { warnUnresolvedModules } from './module-ref-warnings.js'
