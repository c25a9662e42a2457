/**
 * SBOMs in an OCI registry. Attaching pushes an OCI image manifest with
 * `artifactType` `application/vnd.cyclonedx+json`, the empty config, one layer
 * holding the CycloneDX JSON, and `subject` = the package manifest. A registry
 * with the referrers API indexes it by subject (it answers the push with
 * `OCI-Subject`); for one without (distribution 2.8) the same manifest is also
 * tagged `sha256-<hex>.sbom`, the tag scheme cosign uses for attached SBOMs.
 * Fetching asks the referrers API first and falls back to that tag.
 */
import { SbomNotFoundError } from '../../core/errors/index.js'
import {
  ANNOTATION,
  EMPTY_BLOB,
  formatReference,
  type ImageManifest,
  OCI_EMPTY,
  OCI_MANIFEST,
  type OciClient,
  type OciReference,
  referrersTag,
  withDigest,
  withTag,
} from '../oci/index.js'
import { CYCLONEDX_MEDIA_TYPE } from './package-sbom.js'
import { parseCycloneDx16 } from './sbom-schema.js'

/** Largest SBOM read from a registry. */
const SBOM_MAX_BYTES = 16 * 1024 * 1024
/** The layer's title: the file name `oras pull` writes it as. */
const SBOM_FILE_NAME = 'sbom.cdx.json'

/** Where an SBOM was attached, or found. */
export interface AttachedSbom {
  /** Digest of the package manifest it describes. */
  readonly subject: string
  /** Digest of the SBOM's own manifest. */
  readonly manifestDigest: string
  /** `referrers` when the registry indexes it by subject, else `tag` (`sha256-<hex>.sbom`). */
  readonly via: 'referrers' | 'tag'
}

/** Attaches CycloneDX `json` to the manifest `ref` names (after checking it is CycloneDX 1.6). */
export async function attachSbom(
  client: OciClient,
  ref: OciReference,
  json: string,
): Promise<AttachedSbom> {
  parseCycloneDx16(json)
  const subject = await client.resolve(ref)
  if (!subject) throw new SbomNotFoundError({ reference: formatReference(ref), digest: 'none' })
  await client.pushBlob(ref, EMPTY_BLOB.bytes, OCI_EMPTY)
  const layer = await client.pushBlob(ref, Buffer.from(json, 'utf8'), CYCLONEDX_MEDIA_TYPE)
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: CYCLONEDX_MEDIA_TYPE,
    config: { mediaType: OCI_EMPTY, digest: EMPTY_BLOB.digest, size: EMPTY_BLOB.size },
    layers: [{ ...layer, annotations: { [ANNOTATION.title]: SBOM_FILE_NAME } }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  }
  // Neither tag nor digest: the client pushes it by its own digest.
  const { tag: _tag, digest: _digest, ...repository } = ref
  const pushed = await client.pushManifest(repository, manifest)
  if (pushed.subjectIndexed) {
    return { subject: subject.digest, manifestDigest: pushed.descriptor.digest, via: 'referrers' }
  }
  await client.pushManifest(withTag(ref, referrersTag(subject.digest, 'sbom')), manifest)
  return { subject: subject.digest, manifestDigest: pushed.descriptor.digest, via: 'tag' }
}

/** A fetched SBOM: its JSON text (checked to be CycloneDX 1.6) and where it was found. */
export interface FetchedSbom extends AttachedSbom {
  readonly json: string
}

/**
 * The SBOM attached to the manifest `ref` names: the newest referrer of type
 * CycloneDX where the registry has the referrers API, else the one at tag
 * `sha256-<hex>.sbom`; AION_SBOM_NOT_FOUND when there is none.
 */
export async function fetchSbom(client: OciClient, ref: OciReference): Promise<FetchedSbom> {
  const subject = ref.digest ?? (await client.resolve(ref))?.digest
  if (subject === undefined) {
    throw new SbomNotFoundError({ reference: formatReference(ref), digest: 'none' })
  }
  const referrers = await client.referrers(withDigest(ref, subject), CYCLONEDX_MEDIA_TYPE)
  const listed = referrers.supported
    ? referrers.manifests.filter((m) => m.artifactType === CYCLONEDX_MEDIA_TYPE).at(-1)
    : undefined
  let manifestRef: OciReference
  let via: AttachedSbom['via']
  if (listed) {
    manifestRef = withDigest(ref, listed.digest)
    via = 'referrers'
  } else {
    const tagged = await client.resolve(withTag(ref, referrersTag(subject, 'sbom')), [OCI_MANIFEST])
    if (!tagged) throw new SbomNotFoundError({ reference: formatReference(ref), digest: subject })
    manifestRef = withDigest(ref, tagged.digest)
    via = 'tag'
  }
  const { descriptor, manifest } = await client.fetchImageManifest(manifestRef)
  const layer = manifest.layers.find((l) => l.mediaType === CYCLONEDX_MEDIA_TYPE)
  if (!layer || (manifest.subject !== undefined && manifest.subject.digest !== subject)) {
    throw new SbomNotFoundError({ reference: formatReference(ref), digest: subject })
  }
  const bytes = await client.fetchBlob(manifestRef, layer, { maxBytes: SBOM_MAX_BYTES })
  const json = bytes.toString('utf8')
  parseCycloneDx16(json)
  return { json, subject, manifestDigest: descriptor.digest, via }
}
