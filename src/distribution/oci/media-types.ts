/**
 * Media types and annotation keys of the OCI image and distribution specs that
 * the client speaks, and those of AIP package artifacts (our own).
 */

/** OCI image manifest (image-spec v1.1). */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
/** OCI image index. */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
/** Docker image manifest v2 schema 2 (read only: registries and cosign may serve it). */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
/** Docker manifest list (read only). */
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'

/** The media type of the empty descriptor: the 2-byte blob `{}`. */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json'
/** The empty blob's bytes, digest and size (image-spec "Guidance for an Empty Descriptor"). */
export const EMPTY_BLOB = {
  bytes: new Uint8Array([0x7b, 0x7d]),
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
} as const

/** `artifactType` of an AIP package artifact. */
export const AIP_ARTIFACT_TYPE = 'application/vnd.aionos.aip.v1+tar+gzip'
/** Media type of the one layer of an AIP package artifact: the packed `.tar.gz`. */
export const AIP_LAYER = 'application/vnd.aionos.aip.package.v1.tar+gzip'

/** Annotation keys. */
export const ANNOTATION = {
  /** The layer's file name (`<name>-<version>.aip.tar.gz`); `oras pull` writes it under this name. */
  title: 'org.opencontainers.image.title',
  version: 'org.opencontainers.image.version',
  description: 'org.opencontainers.image.description',
  /** The AIP module name. */
  aipName: 'dev.aionos.aip.name',
  /** The AIP runtime (`wasm` or `subprocess`). */
  aipRuntime: 'dev.aionos.aip.runtime',
} as const
