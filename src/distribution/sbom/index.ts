/** CycloneDX SBOMs of AIP packages: made from the packed archive, validated, attached. */
export { readArchiveFiles, type ArchiveFiles, type PackageFileDigest } from './archive-files.js'
export { buildPackageSbom, CYCLONEDX_MEDIA_TYPE, type PackageSbomInput } from './package-sbom.js'
export { assertCycloneDx16, parseCycloneDx16 } from './sbom-schema.js'
export { sbomOfArchive, type ArchiveSbom } from './archive-sbom.js'
export { attachSbom, fetchSbom, type AttachedSbom, type FetchedSbom } from './sbom-registry.js'
export { attachPackageSbom, type AttachedPackageSbom } from './package-sbom-attach.js'
