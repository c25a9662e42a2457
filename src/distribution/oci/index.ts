/**
 * OCI distribution: the registry client, and AIP packages as OCI artifacts.
 *
 * ## Client API (stable; the signing, SBOM and install steps build on it)
 *
 * ```ts
 * const client = OciClient.fromSettings(settings.distribution) // or new OciClient({ credentials, … })
 * const ref = parseReference('registry.example.com/team/summarize_text:1.0.0')
 * await client.pushBlob(ref, bytes, mediaType?)        // → Descriptor; HEAD first, skipped when present
 * await client.blobExists(ref, digest)                 // → boolean
 * await client.fetchBlob(ref, descriptor)              // → Buffer; size limit before, digest while streaming
 * await client.fetchBlobToFile(ref, descriptor, file)  // same, into a file (renamed into place when verified)
 * await client.pushManifest(withTag(ref, 'sha256-<hex>.sig'), manifest) // → { descriptor, subjectIndexed }
 * await client.fetchManifest(ref, accept?)             // → { descriptor, bytes, parsed }, digest-checked
 * await client.fetchImageManifest(ref)                 // → { descriptor, manifest, bytes } (OCI image manifest only)
 * await client.resolve(ref)                            // → Descriptor | undefined (HEAD; tag → digest)
 * await client.referrers(withDigest(ref, d), type?)    // → { supported: true, manifests } | { supported: false }
 * await client.listTags(ref)
 * await client.close()
 * ```
 *
 * Registries without the referrers API (distribution 2.8) answer
 * `{ supported: false }`; then a signature lives at tag
 * `referrersTag(digest, 'sig')` = `sha256-<hex>.sig` and an SBOM at
 * `referrersTag(digest, 'sbom')`, as cosign writes them.
 *
 * Errors: all `AION_OCI_*` (core/errors). Retryable: `_REGISTRY_UNAVAILABLE`
 * (5xx, 429, unreachable) and `_REGISTRY_TIMEOUT` (stalls). Not retryable:
 * `_NOT_FOUND`, `_UNAUTHORIZED`, `_DENIED`, `_DIGEST_MISMATCH`, `_SIZE_MISMATCH`,
 * `_BLOB_TOO_LARGE`, `_MANIFEST_INVALID`, `_MEDIA_TYPE_UNSUPPORTED`,
 * `_REQUEST_REJECTED`, `_INSECURE_REFUSED`, `_REFERENCE_INVALID`.
 *
 * Transport: HTTPS, except plain HTTP to loopback registries and those in
 * `AION_REGISTRY_INSECURE` (a reference may say `http://` only for those).
 * Auth: anonymous, Basic, and Bearer tokens through the `WWW-Authenticate`
 * challenge (token per scope, cached); credentials from `AION_REGISTRY_<ID>_*`
 * or the Docker-style auth file.
 *
 * ## AIP artifacts
 *
 * An OCI image manifest with `artifactType` {@link AIP_ARTIFACT_TYPE}, the empty
 * config, and one layer of media type {@link AIP_LAYER}: the reproducible
 * `.tar.gz` of {@link packPackage}, titled `<name>-<version>.aip.tar.gz`.
 */
export * from './media-types.js'
export {
  DIGEST,
  formatReference,
  isLoopbackRegistry,
  parseReference,
  referrersTag,
  withDigest,
  withTag,
  type OciReference,
} from './reference.js'
export {
  isImageManifestType,
  isIndexType,
  manifestBytes,
  parseManifest,
  sha256Digest,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type ParsedManifest,
} from './manifest.js'
export {
  anonymous,
  dockerConfigCredentials,
  settingsCredentials,
  type CredentialSource,
  type RegistryCredentials,
} from './credentials.js'
export { parseChallenge, type Challenge } from './auth.js'
export {
  ALL_MANIFEST_TYPES,
  MANIFEST_MAX_BYTES,
  type FetchedManifest,
  type PushedManifest,
} from './manifests.js'
export type { Referrers } from './referrers.js'
export { OciClient, type FetchOptions, type OciClientOptions } from './client.js'
export {
  packDirectory,
  packedPackage,
  packPackage,
  type PackedPackage,
  type PackOptions,
} from './pack.js'
export {
  EMPTY_CONFIG,
  fetchPackageArtifact,
  packageManifest,
  pullPackage,
  pushPackage,
  type PackageArtifact,
  type PushedPackage,
} from './aip-artifact.js'
