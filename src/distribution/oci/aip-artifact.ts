/**
 * AIP packages as OCI artifacts. The manifest (an OCI image manifest, so any
 * OCI 1.1 registry and `oras` take it):
 *
 * ```json
 * { "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
 *   "artifactType": "application/vnd.aionos.aip.v1+tar+gzip",
 *   "config": { "mediaType": "application/vnd.oci.empty.v1+json", "digest": "sha256:44136f…", "size": 2, "data": "e30=" },
 *   "layers": [{ "mediaType": "application/vnd.aionos.aip.package.v1.tar+gzip", "digest": "sha256:…", "size": …,
 *                "annotations": { "org.opencontainers.image.title": "<name>-<version>.aip.tar.gz" } }],
 *   "annotations": { "org.opencontainers.image.title": "<name>", "org.opencontainers.image.version": "<version>",
 *                    "dev.aionos.aip.name": "<name>", "dev.aionos.aip.runtime": "wasm|subprocess" } }
 * ```
 *
 * No timestamp is written, so the same package pushes to the same manifest
 * digest. A pull accepts exactly this shape: another manifest media type,
 * artifact type, config or layer type is AION_OCI_MEDIA_TYPE_UNSUPPORTED.
 */
import {
  OciManifestInvalidError,
  OciMediaTypeUnsupportedError,
  OciReferenceInvalidError,
} from '../../core/errors/index.js'
import type { OciClient } from './client.js'
import type { Descriptor, ImageManifest } from './manifest.js'
import {
  AIP_ARTIFACT_TYPE,
  AIP_LAYER,
  ANNOTATION,
  EMPTY_BLOB,
  OCI_EMPTY,
  OCI_MANIFEST,
} from './media-types.js'
import type { PackedPackage } from './pack.js'
import { formatReference, type OciReference, withDigest, withTag } from './reference.js'

/** The empty config descriptor, with its data inline as image-spec suggests. */
export const EMPTY_CONFIG: Descriptor = {
  mediaType: OCI_EMPTY,
  digest: EMPTY_BLOB.digest,
  size: EMPTY_BLOB.size,
  data: 'e30=',
}

/** The artifact manifest of a packed package whose layer is `layer`. */
export function packageManifest(packed: PackedPackage, layer: Descriptor): ImageManifest {
  const { metadata, runtime } = packed.manifest
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: AIP_ARTIFACT_TYPE,
    config: EMPTY_CONFIG,
    layers: [
      {
        mediaType: AIP_LAYER,
        digest: layer.digest,
        size: layer.size,
        annotations: { [ANNOTATION.title]: packed.fileName },
      },
    ],
    annotations: {
      [ANNOTATION.title]: metadata.name,
      [ANNOTATION.version]: metadata.version,
      [ANNOTATION.aipName]: metadata.name,
      [ANNOTATION.aipRuntime]: runtime.type,
    },
  }
}

/** What a push stored. */
export interface PushedPackage {
  /** The tag it was pushed under. */
  readonly tag: string
  /** The artifact manifest's descriptor (its digest names the package for good). */
  readonly descriptor: Descriptor
  /** `registry/repository@sha256:…`. */
  readonly pinned: string
  readonly manifest: ImageManifest
}

/**
 * Pushes a packed package: the empty config and the layer (each skipped when
 * the repository has it), then the manifest under `ref`'s tag (the package's
 * version when the reference has none).
 */
export async function pushPackage(
  client: OciClient,
  ref: OciReference,
  packed: PackedPackage,
): Promise<PushedPackage> {
  if (ref.digest !== undefined) {
    throw new OciReferenceInvalidError({
      reference: formatReference(ref),
      detail: 'push takes a :tag, not an @digest (the digest comes from the content)',
    })
  }
  const tag = ref.tag ?? packed.manifest.metadata.version
  await client.pushBlob(ref, EMPTY_BLOB.bytes, OCI_EMPTY)
  const layer = await client.pushBlob(ref, packed.bytes, AIP_LAYER)
  const manifest = packageManifest(packed, layer)
  const { descriptor } = await client.pushManifest(withTag(ref, tag), manifest, OCI_MANIFEST)
  return {
    tag,
    descriptor,
    pinned: formatReference(withDigest(ref, descriptor.digest)),
    manifest,
  }
}

/** A package artifact's manifest, checked. */
export interface PackageArtifact {
  readonly descriptor: Descriptor
  readonly manifest: ImageManifest
  /** The one layer: the package archive. */
  readonly layer: Descriptor
  /** A safe file name for the archive: the layer's title when it is one, else derived from the digest. */
  readonly fileName: string
}

const SAFE_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,200}\.(tar\.gz|tgz)$/

/** Fetches and checks the artifact manifest `ref` names (see the module comment). */
export async function fetchPackageArtifact(
  client: OciClient,
  ref: OciReference,
  signal?: AbortSignal,
): Promise<PackageArtifact> {
  const { descriptor, manifest } = await client.fetchImageManifest(ref, signal)
  const where = { registry: ref.registry, repository: ref.repository }
  const unsupported = (detail: string, mediaType: string) =>
    new OciMediaTypeUnsupportedError({ ...where, detail, mediaType })
  if (manifest.artifactType !== AIP_ARTIFACT_TYPE) {
    const found = manifest.artifactType ?? 'none'
    throw unsupported(
      `${descriptor.digest} has artifactType ${found}, not an AIP package (${AIP_ARTIFACT_TYPE})`,
      found,
    )
  }
  if (manifest.config.mediaType !== OCI_EMPTY || manifest.config.digest !== EMPTY_BLOB.digest) {
    throw unsupported(
      `${descriptor.digest} has config ${manifest.config.mediaType}, not the empty config`,
      manifest.config.mediaType,
    )
  }
  if (manifest.layers.length !== 1) {
    const detail = `${descriptor.digest} has ${manifest.layers.length} layers; an AIP package has exactly one`
    throw new OciManifestInvalidError({ ...where, detail })
  }
  const layer = manifest.layers[0] as Descriptor
  if (layer.mediaType !== AIP_LAYER) {
    throw unsupported(
      `${descriptor.digest} has a layer of ${layer.mediaType}, not ${AIP_LAYER}`,
      layer.mediaType,
    )
  }
  const title = layer.annotations?.[ANNOTATION.title]
  const fileName =
    title !== undefined && SAFE_FILE_NAME.test(title)
      ? title
      : `${layer.digest.slice('sha256:'.length, 'sha256:'.length + 16)}.aip.tar.gz`
  return { descriptor, manifest, layer, fileName }
}

/** Pulls the package `ref` names into `file` (written only when verified). */
export async function pullPackage(
  client: OciClient,
  ref: OciReference,
  file: string,
  signal?: AbortSignal,
): Promise<PackageArtifact> {
  const artifact = await fetchPackageArtifact(client, ref, signal)
  await client.fetchBlobToFile(ref, artifact.layer, file, signal === undefined ? {} : { signal })
  return artifact
}
