/**
 * The OCI manifest cosign stores a key-based signature in: at tag
 * `sha256-<hex>.sig` of the signed manifest's repository, one layer per
 * signature whose blob is the simple-signing payload and whose annotation
 * `dev.cosignproject.cosign/signature` holds the base64 signature, and an image
 * config listing the layers. Bytes follow go-containerregistry's marshalling
 * (field order, no spaces), so the config digest equals cosign's for the same
 * layers — checked against a genuine cosign signature manifest in the tests.
 */
import { createHash } from 'node:crypto'
import { SignatureManifestInvalidError } from '../../core/errors/index.js'
import { goJson } from './go-json.js'

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json'
/** Media type of a signature layer; its blob is the simple-signing payload. */
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json'
/** Layer annotation holding the base64 DER signature. */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature'

// go-containerregistry may write Docker's schema 2 type; cosign reads both.
const DOCKER_MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json'
/** The manifest media types a signature manifest may have. */
export const MANIFEST_MEDIA_TYPES = [OCI_MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE]
const DIGEST_PATTERN = /^sha256:([a-f0-9]{64})$/
// go-containerregistry writes the zero time for cosign's empty image and each appended layer.
const ZERO_TIME = '0001-01-01T00:00:00Z'

/** A content descriptor, as the signature manifest names its blobs. */
export interface Descriptor {
  readonly mediaType: string
  readonly size: number
  readonly digest: string
  readonly annotations?: Readonly<Record<string, string>>
}

/** One signature: the payload blob's descriptor and the signature over it. */
export interface SignatureLayer {
  readonly digest: string
  readonly size: number
  /** Base64 DER signature over the payload. */
  readonly signature: string
  /** Every annotation of the layer (the signature annotation included). */
  readonly annotations: Readonly<Record<string, string>>
}

/** A signature manifest ready to push: its bytes and its config blob. */
export interface SignatureManifest {
  readonly manifest: Buffer
  readonly config: Buffer
  readonly configDigest: string
  readonly layers: readonly SignatureLayer[]
}

/** The tag cosign keeps the signatures of `digest` at: `sha256-<hex>.sig`. */
export function signatureTag(digest: string): string {
  return `${digestTagPrefix(digest)}.sig`
}

/** `sha256-<hex>`: a digest as a tag, the stem of cosign's `.sig`/`.sbom` tags. */
export function digestTagPrefix(digest: string): string {
  const hex = DIGEST_PATTERN.exec(digest)?.[1]
  if (!hex) throw new TypeError(`${digest} is not a sha256 digest`)
  return `sha256-${hex}`
}

/** The descriptor of a signature over `payload` carrying `signature`. */
export function signatureLayer(
  payload: Uint8Array,
  signature: string,
  annotations: Readonly<Record<string, string>> = {},
): SignatureLayer {
  return {
    digest: sha256Digest(payload),
    size: payload.length,
    signature,
    annotations: { ...annotations, [SIGNATURE_ANNOTATION]: signature },
  }
}

/** The signature manifest holding `layers`, in order. */
export function buildSignatureManifest(layers: readonly SignatureLayer[]): SignatureManifest {
  const diffIds = layers.map((layer) => JSON.stringify(layer.digest)).join(',')
  const history = layers.map(() => `{"created":"${ZERO_TIME}"}`).join(',')
  const config = Buffer.from(
    `{"architecture":"","created":"${ZERO_TIME}","history":[${history}],"os":"",` +
      `"rootfs":{"type":"layers","diff_ids":[${diffIds}]},"config":{}}`,
  )
  const configDigest = sha256Digest(config)
  const layerJson = layers.map(
    (layer) =>
      `{"mediaType":"${SIMPLE_SIGNING_MEDIA_TYPE}","size":${layer.size},` +
      `"digest":"${layer.digest}","annotations":${goJson(layer.annotations)}}`,
  )
  const manifest = Buffer.from(
    `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST_MEDIA_TYPE}",` +
      `"config":{"mediaType":"${OCI_CONFIG_MEDIA_TYPE}","size":${config.length},"digest":"${configDigest}"},` +
      `"layers":[${layerJson.join(',')}]}`,
  )
  return { manifest, config, configDigest, layers }
}

/**
 * The manifest with `layer` appended, unless an identical signature is already
 * there (so re-running a sign over the same bytes does not grow the manifest).
 */
export function appendSignature(
  existing: readonly SignatureLayer[],
  layer: SignatureLayer,
): SignatureManifest {
  const duplicate = existing.some(
    (other) => other.digest === layer.digest && other.signature === layer.signature,
  )
  return buildSignatureManifest(duplicate ? existing : [...existing, layer])
}

/**
 * The signatures a signature manifest holds. Layers of other media types are
 * skipped (cosign may add others); a malformed manifest or a signature layer
 * without its annotation is AION_SIGNATURE_MANIFEST_INVALID.
 */
export function parseSignatureManifest(bytes: Uint8Array, reference: string): SignatureLayer[] {
  const invalid = (detail: string): never => {
    throw new SignatureManifestInvalidError({ reference, detail })
  }
  let document: unknown
  try {
    document = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    return invalid('not JSON')
  }
  if (!isObject(document)) return invalid('not a JSON object')
  if (document.schemaVersion !== 2) invalid('schemaVersion is not 2')
  if (
    document.mediaType !== undefined &&
    !MANIFEST_MEDIA_TYPES.includes(String(document.mediaType))
  ) {
    invalid(`media type ${String(document.mediaType)} is no image manifest`)
  }
  if (!Array.isArray(document.layers)) return invalid('layers is not a list')
  const layers: SignatureLayer[] = []
  for (const [index, layer] of document.layers.entries()) {
    if (!isObject(layer)) return invalid(`layer ${index} is not an object`)
    if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) continue
    const { digest, size, annotations } = layer
    if (typeof digest !== 'string' || !DIGEST_PATTERN.test(digest)) {
      return invalid(`layer ${index} has no sha256 digest`)
    }
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      return invalid(`layer ${index} has no size`)
    }
    const strings = isObject(annotations)
      ? Object.entries(annotations).filter((entry): entry is [string, string] => {
          return typeof entry[1] === 'string'
        })
      : []
    const signature = strings.find(([key]) => key === SIGNATURE_ANNOTATION)?.[1]
    if (signature === undefined) return invalid(`layer ${index} has no ${SIGNATURE_ANNOTATION}`)
    layers.push({ digest, size, signature, annotations: Object.fromEntries(strings) })
  }
  return layers
}

/** `sha256:<hex>` of `bytes`. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
