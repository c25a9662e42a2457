/**
 * OCI descriptors, image manifests and indexes: the types, canonical bytes and
 * a strict structural check of what a registry serves (the check runs before
 * any field is trusted; a failure is AION_OCI_MANIFEST_INVALID).
 */
import { createHash } from 'node:crypto'
import { OciManifestInvalidError } from '../../core/errors/index.js'
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from './media-types.js'
import { DIGEST } from './reference.js'

/** A content descriptor (image-spec `descriptor.md`). */
export interface Descriptor {
  readonly mediaType: string
  /** `sha256:<64 hex>`. */
  readonly digest: string
  /** Bytes of the content. */
  readonly size: number
  readonly artifactType?: string
  readonly annotations?: Readonly<Record<string, string>>
  /** The content itself, base64 (small blobs only, e.g. the empty config). */
  readonly data?: string
  readonly urls?: readonly string[]
}

/** An OCI image manifest (also what a Docker v2 schema 2 manifest parses to). */
export interface ImageManifest {
  readonly schemaVersion: 2
  readonly mediaType?: string
  readonly artifactType?: string
  readonly config: Descriptor
  readonly layers: readonly Descriptor[]
  /** The manifest this one refers to (signatures, SBOMs). */
  readonly subject?: Descriptor
  readonly annotations?: Readonly<Record<string, string>>
}

/** An OCI image index (also what a Docker manifest list parses to). */
export interface ImageIndex {
  readonly schemaVersion: 2
  readonly mediaType?: string
  readonly artifactType?: string
  readonly manifests: readonly Descriptor[]
  readonly subject?: Descriptor
  readonly annotations?: Readonly<Record<string, string>>
}

/** A parsed manifest of either shape. */
export type ParsedManifest =
  | { readonly kind: 'manifest'; readonly manifest: ImageManifest }
  | { readonly kind: 'index'; readonly index: ImageIndex }

/** Where a manifest came from, for error messages. */
export interface ManifestSource {
  readonly registry: string
  readonly repository: string
}

/** `sha256:<hex>` of `bytes`. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** The bytes a manifest is pushed as: compact JSON in the object's own key order. */
export function manifestBytes(manifest: ImageManifest | ImageIndex): Buffer {
  return Buffer.from(JSON.stringify(manifest), 'utf8')
}

const MEDIA_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/

type Problems = string[]

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkAnnotations(value: unknown, at: string, problems: Problems): void {
  if (value === undefined) return
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    problems.push(`${at}/annotations must map strings to strings`)
  }
}

function checkDescriptor(value: unknown, at: string, problems: Problems): void {
  if (!isObject(value)) {
    problems.push(`${at} must be a descriptor object`)
    return
  }
  if (typeof value.mediaType !== 'string' || !MEDIA_TYPE.test(value.mediaType)) {
    problems.push(`${at}/mediaType must be a media type`)
  }
  if (typeof value.digest !== 'string' || !DIGEST.test(value.digest)) {
    problems.push(`${at}/digest must be sha256:<64 hex>`)
  }
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) {
    problems.push(`${at}/size must be a non-negative integer`)
  }
  if (value.artifactType !== undefined && typeof value.artifactType !== 'string') {
    problems.push(`${at}/artifactType must be a string`)
  }
  if (value.data !== undefined && typeof value.data !== 'string') {
    problems.push(`${at}/data must be base64`)
  }
  checkAnnotations(value.annotations, at, problems)
}

function checkCommon(json: Record<string, unknown>, mediaType: string, problems: Problems): void {
  if (json.schemaVersion !== 2) problems.push('/schemaVersion must be 2')
  if (json.mediaType !== undefined && json.mediaType !== mediaType) {
    problems.push(`/mediaType ${JSON.stringify(json.mediaType)} differs from ${mediaType}`)
  }
  if (json.artifactType !== undefined && typeof json.artifactType !== 'string') {
    problems.push('/artifactType must be a string')
  }
  if (json.subject !== undefined) checkDescriptor(json.subject, '/subject', problems)
  checkAnnotations(json.annotations, '', problems)
}

/** Whether `mediaType` is a manifest (not an index) media type the client reads. */
export function isImageManifestType(mediaType: string): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST
}

/** Whether `mediaType` is an index media type the client reads. */
export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST
}

/**
 * Parses and checks manifest `bytes` served as `mediaType` (one of the four
 * {@link isImageManifestType} / {@link isIndexType} types; the caller has
 * refused others). Throws AION_OCI_MANIFEST_INVALID listing every problem.
 */
export function parseManifest(
  bytes: Uint8Array,
  mediaType: string,
  source: ManifestSource,
): ParsedManifest {
  const fail = (detail: string): never => {
    throw new OciManifestInvalidError({ ...source, detail: `manifest ${detail}` })
  }
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch (error) {
    return fail(`is not JSON: ${(error as Error).message}`)
  }
  if (!isObject(json)) return fail('is not a JSON object')
  const problems: Problems = []
  checkCommon(json, mediaType, problems)
  if (isIndexType(mediaType)) {
    if (!Array.isArray(json.manifests)) problems.push('/manifests must be an array')
    else json.manifests.forEach((d, i) => checkDescriptor(d, `/manifests/${i}`, problems))
  } else {
    checkDescriptor(json.config, '/config', problems)
    if (!Array.isArray(json.layers)) problems.push('/layers must be an array')
    else json.layers.forEach((d, i) => checkDescriptor(d, `/layers/${i}`, problems))
  }
  if (problems.length > 0) fail(problems.join('; '))
  return isIndexType(mediaType)
    ? { kind: 'index', index: json as unknown as ImageIndex }
    : { kind: 'manifest', manifest: json as unknown as ImageManifest }
}
