/** The AIP package reader: manifests, archives and package files, checked before anything runs. */
export {
  checkPackage,
  loadPackage,
  loadPackages,
  type LoadPackageOptions,
  type LoadPackagesOptions,
  type PackageCheck,
  type PackageProblem,
} from './aip-package.js'
export { checkPackageArchive, extractPackageArchive, isPackageArchive } from './aip-archive.js'
export { MANIFEST_FILE } from '../../runtime/module-package.js'
export { createPackagesExecutor, type PackagesExecutorShared } from './packages-executor.js'
