/**
 * cosign's "simple signing" payload: the JSON document a key-based cosign
 * signature is made over. cosign writes it with Go's `encoding/json`, so the
 * bytes here follow Go: struct fields in declaration order, no spaces, maps
 * as {@link goJson} writes them. Signatures are over bytes, so the bytes must
 * match cosign's exactly.
 */
import { SignaturePayloadInvalidError } from '../../core/errors/index.js'
import { goJson } from './go-json.js'

/** The `critical.type` of every cosign image signature payload. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature'

const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/

/** What a simple-signing payload says. */
export interface SimpleSigningClaims {
  /** `critical.identity.docker-reference`: the repository the signer signed in (`host/repo`). */
  readonly dockerReference: string
  /** `critical.image.docker-manifest-digest`: the signed manifest's digest, `sha256:<hex>`. */
  readonly manifestDigest: string
  /** `optional`: the signer's annotations, `null` when none (cosign's default). */
  readonly optional: Readonly<Record<string, unknown>> | null
}

/** The payload bytes cosign signs for an image manifest digest in a repository. */
export function simpleSigningPayload(claims: SimpleSigningClaims): Buffer {
  if (!DIGEST_PATTERN.test(claims.manifestDigest)) {
    throw new SignaturePayloadInvalidError({
      detail: `manifest digest ${claims.manifestDigest} is not sha256:<64 hex>`,
    })
  }
  const json =
    `{"critical":{"identity":{"docker-reference":${goJson(claims.dockerReference)}},` +
    `"image":{"docker-manifest-digest":${goJson(claims.manifestDigest)}},` +
    `"type":${goJson(COSIGN_SIGNATURE_TYPE)}},"optional":${goJson(claims.optional)}}`
  return Buffer.from(json, 'utf8')
}

/** Reads a payload's claims; throws AION_SIGNATURE_PAYLOAD_INVALID on anything else. */
export function parseSimpleSigningPayload(bytes: Uint8Array): SimpleSigningClaims {
  let document: unknown
  try {
    document = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch (error) {
    throw new SignaturePayloadInvalidError({ detail: 'not JSON' }, { cause: error })
  }
  const critical = field(document, 'critical')
  const type = field(critical, 'type')
  if (type !== COSIGN_SIGNATURE_TYPE) {
    throw new SignaturePayloadInvalidError({
      detail: `critical.type is ${JSON.stringify(type)}, not ${JSON.stringify(COSIGN_SIGNATURE_TYPE)}`,
    })
  }
  const manifestDigest = field(field(critical, 'image'), 'docker-manifest-digest')
  if (typeof manifestDigest !== 'string' || !DIGEST_PATTERN.test(manifestDigest)) {
    throw new SignaturePayloadInvalidError({
      detail: 'critical.image.docker-manifest-digest is not sha256:<64 hex>',
    })
  }
  const dockerReference = field(field(critical, 'identity'), 'docker-reference')
  if (typeof dockerReference !== 'string') {
    throw new SignaturePayloadInvalidError({
      detail: 'critical.identity.docker-reference is not a string',
    })
  }
  const optional = isObject(document) ? document.optional : undefined
  if (optional !== undefined && optional !== null && !isObject(optional)) {
    throw new SignaturePayloadInvalidError({ detail: 'optional is neither null nor an object' })
  }
  return { dockerReference, manifestDigest, optional: optional ?? null }
}

function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
