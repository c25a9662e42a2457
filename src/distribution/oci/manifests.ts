/**
 * Manifests: fetch (by tag or digest, with Accept; size-limited, digest
 * checked against the reference or the registry's `Docker-Content-Digest`,
 * media type checked against what was asked for, structure checked), resolve
 * (HEAD), push (PUT with the media type as Content-Type, the registry's digest
 * cross-checked). Tags and referrers: referrers.ts.
 */
import {
  OciBlobTooLargeError,
  OciDigestMismatchError,
  OciMediaTypeUnsupportedError,
  OciReferenceInvalidError,
} from '../../core/errors/index.js'
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  manifestBytes,
  type ParsedManifest,
  parseManifest,
  sha256Digest,
} from './manifest.js'
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from './media-types.js'
import { formatReference, type OciReference } from './reference.js'
import {
  discard,
  header,
  issue,
  networkFailure,
  type RegistryResponse,
  type RegistryTransport,
} from './transport.js'

/** The largest manifest read (containerd's limit). */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024

/** Every manifest media type the client reads. */
export const ALL_MANIFEST_TYPES = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST]

/** A fetched manifest: its descriptor, its exact bytes and the checked structure. */
export interface FetchedManifest {
  readonly descriptor: Descriptor
  readonly bytes: Buffer
  readonly parsed: ParsedManifest
}

function referenceOf(ref: OciReference): string {
  const reference = ref.digest ?? ref.tag
  if (reference === undefined) {
    throw new OciReferenceInvalidError({
      reference: formatReference(ref),
      detail: 'needs a :tag or an @digest',
    })
  }
  return reference
}

function mediaTypeOf(response: RegistryResponse): string | undefined {
  return header(response, 'content-type')?.split(';')[0]?.trim().toLowerCase()
}

/** The body, refused past {@link MANIFEST_MAX_BYTES} (announced or actual). */
export async function readBounded(ref: OciReference, what: string, response: RegistryResponse) {
  const length = Number(header(response, 'content-length') ?? 0)
  const tooLarge = (size: number) =>
    new OciBlobTooLargeError({
      ...issue(ref, `${what} is ${size} bytes or more, over ${MANIFEST_MAX_BYTES}`),
      sizeBytes: size,
      limitBytes: MANIFEST_MAX_BYTES,
    })
  if (length > MANIFEST_MAX_BYTES) {
    discard(response)
    throw tooLarge(length)
  }
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > MANIFEST_MAX_BYTES) {
        discard(response)
        throw tooLarge(size)
      }
      chunks.push(chunk)
    }
  } catch (error) {
    throw networkFailure(ref, what, error)
  }
  return Buffer.concat(chunks)
}

/** The `mediaType` a manifest declares in its body, if any (before the full check). */
function declaredMediaType(bytes: Buffer): string | undefined {
  try {
    const json = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }
    return typeof json.mediaType === 'string' ? json.mediaType : undefined
  } catch {
    return undefined
  }
}

/**
 * Fetches the manifest `ref` names (its digest, else its tag). `accept` limits
 * the media types taken; another one is AION_OCI_MEDIA_TYPE_UNSUPPORTED.
 */
export async function fetchManifest(
  transport: RegistryTransport,
  ref: OciReference,
  accept: readonly string[] = ALL_MANIFEST_TYPES,
  signal?: AbortSignal,
): Promise<FetchedManifest> {
  const reference = referenceOf(ref)
  const what = `manifest ${reference}`
  const response = await transport.send({
    ref,
    method: 'GET',
    path: `/v2/${ref.repository}/manifests/${reference}`,
    headers: { accept: accept.join(', ') },
    what,
    ...(signal === undefined ? {} : { signal }),
  })
  const served = mediaTypeOf(response)
  const bytes = await readBounded(ref, what, response)
  const digest = sha256Digest(bytes)
  const announced = ref.digest ?? header(response, 'docker-content-digest')
  if (announced !== undefined && announced.startsWith('sha256:') && announced !== digest) {
    throw new OciDigestMismatchError({
      ...issue(ref, `${what}: expected ${announced}, the content's digest is ${digest}`),
      expected: announced,
      actual: digest,
    })
  }
  const mediaType = declaredMediaType(bytes) ?? served
  if (mediaType === undefined || !accept.includes(mediaType)) {
    throw new OciMediaTypeUnsupportedError({
      ...issue(ref, `${what} is ${mediaType ?? 'untyped'}, not ${accept.join(' or ')}`),
      mediaType: mediaType ?? '',
    })
  }
  const parsed = parseManifest(bytes, mediaType, ref)
  const artifactType =
    parsed.kind === 'manifest' ? parsed.manifest.artifactType : parsed.index.artifactType
  const descriptor: Descriptor = {
    mediaType,
    digest,
    size: bytes.length,
    ...(artifactType === undefined ? {} : { artifactType }),
  }
  return { descriptor, bytes, parsed }
}

/** The descriptor of the manifest `ref` names (HEAD), or undefined when there is none. */
export async function resolveManifest(
  transport: RegistryTransport,
  ref: OciReference,
  accept: readonly string[] = ALL_MANIFEST_TYPES,
): Promise<Descriptor | undefined> {
  const reference = referenceOf(ref)
  const response = await transport.send({
    ref,
    method: 'HEAD',
    path: `/v2/${ref.repository}/manifests/${reference}`,
    headers: { accept: accept.join(', ') },
    what: `manifest ${reference}`,
    accept: [404],
  })
  await response.body.dump()
  if (response.status === 404) return undefined
  const digest = header(response, 'docker-content-digest')
  const mediaType = mediaTypeOf(response)
  const size = Number(header(response, 'content-length'))
  if (digest === undefined || mediaType === undefined || !Number.isSafeInteger(size)) {
    // Some registries omit these on HEAD: the manifest itself says.
    return (await fetchManifest(transport, ref, accept)).descriptor
  }
  if (ref.digest !== undefined && digest !== ref.digest) {
    throw new OciDigestMismatchError({
      ...issue(ref, `manifest ${reference}: the registry answered for ${digest}`),
      expected: ref.digest,
      actual: digest,
    })
  }
  return { mediaType, digest, size }
}

/** What {@link pushManifest} did. */
export interface PushedManifest {
  readonly descriptor: Descriptor
  /** Whether the registry said it indexed the manifest's `subject` (`OCI-Subject`): no fallback tag needed. */
  readonly subjectIndexed: boolean
}

/** Pushes a manifest under `ref`'s tag (or its digest). */
export async function pushManifest(
  transport: RegistryTransport,
  ref: OciReference,
  manifest: ImageManifest | ImageIndex,
  mediaType: string,
): Promise<PushedManifest> {
  const bytes = manifestBytes(manifest)
  const digest = sha256Digest(bytes)
  const reference = ref.tag ?? ref.digest ?? digest
  if (ref.tag === undefined && ref.digest !== undefined && ref.digest !== digest) {
    throw new OciDigestMismatchError({
      ...issue(ref, `manifest to push has digest ${digest}, not ${ref.digest}`),
      expected: ref.digest,
      actual: digest,
    })
  }
  const what = `manifest ${reference}`
  const response = await transport.send({
    ref,
    method: 'PUT',
    path: `/v2/${ref.repository}/manifests/${reference}`,
    headers: { 'content-type': mediaType },
    body: bytes,
    push: true,
    what,
  })
  await response.body.dump()
  const stored = header(response, 'docker-content-digest')
  if (stored !== undefined && stored !== digest) {
    throw new OciDigestMismatchError({
      ...issue(ref, `${what}: the registry stored it as ${stored}, not ${digest}`),
      expected: digest,
      actual: stored,
    })
  }
  const artifactType = manifest.artifactType
  return {
    descriptor: {
      mediaType,
      digest,
      size: bytes.length,
      ...(artifactType === undefined ? {} : { artifactType }),
    },
    subjectIndexed: header(response, 'oci-subject') !== undefined,
  }
}
