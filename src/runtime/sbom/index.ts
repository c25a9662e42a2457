/** CycloneDX SBOMs of AIP packages: made from the packed archive, validated, attached. */
export { readArchiveFiles, type ArchiveFiles, type PackageFileDigest } from './archive-files.js'
export { buildPackageSbom, CYCLONEDX_MEDIA_TYPE, type PackageSbomInput } from './package-sbom.js'
export { assertCycloneDx16 } from './sbom-schema.js'
export { sbomOfArchive, type ArchiveSbom } from './archive-sbom.js'
