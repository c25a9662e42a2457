/**
 * Signing and verifying artifacts in an OCI registry the way cosign does with
 * a key (`cosign sign --key … --tlog-upload=false`, `cosign verify --key …
 * --insecure-ignore-tlog=true`): the signature manifest lives at tag
 * `sha256-<hex>.sig` of the signed manifest's repository, one layer per
 * signature. Verification accepts the artifact when any signature layer's
 * payload verifies under a trusted key and names the artifact's digest; the
 * payload's `docker-reference` is reported, not enforced (cosign does not
 * either: artifacts are copied between registries).
 */
import type { KeyObject } from 'node:crypto'
import {
  AionError,
  OciNotFoundError,
  SignatureDigestMismatchError,
  SignatureNotFoundError,
  SignaturePayloadTamperedError,
  SignatureUntrustedError,
} from '../../core/errors/index.js'
import {
  formatReference,
  type ImageManifest,
  OCI_MANIFEST,
  type OciClient,
  type OciReference,
  withDigest,
  withTag,
} from '../oci/index.js'
import {
  appendSignature,
  MANIFEST_MEDIA_TYPES,
  parseSignatureManifest,
  type SignatureLayer,
  signatureLayer,
  signatureTag,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from './signature-manifest.js'
import {
  parseSimpleSigningPayload,
  simpleSigningPayload,
  type SimpleSigningClaims,
} from './simple-signing.js'
import { findSigner, keyIdOf, signPayload, type TrustedKey } from './trusted-keys.js'

/** Largest signature payload read; cosign's are a few hundred bytes. */
const PAYLOAD_MAX_BYTES = 1024 * 1024

/** What {@link signArtifact} did. */
export interface SignedArtifact {
  /** The signed manifest's digest. */
  readonly digest: string
  /** `registry/repository`, the payload's docker-reference. */
  readonly repository: string
  /** The tag the signature manifest was pushed to, `sha256-<hex>.sig`. */
  readonly signatureTag: string
  readonly keyId: string
  /** Signatures the signature manifest now holds (earlier ones are kept). */
  readonly signatures: number
}

/** A signature that verified. */
export interface VerifiedArtifact {
  readonly digest: string
  readonly keyId: string
  /** Where the trusted key came from (file or setting). */
  readonly keySource: string
  /** The exact payload bytes the signature is over. */
  readonly payload: Buffer
  readonly claims: SimpleSigningClaims
  /** Signature layers found, verified or not. */
  readonly signatures: number
}

/** The manifest digest `ref` names: its digest, else what its tag resolves to. */
export async function resolveDigest(client: OciClient, ref: OciReference): Promise<string> {
  if (ref.digest !== undefined) return ref.digest
  const descriptor = await client.resolve(ref)
  if (!descriptor) {
    throw new OciNotFoundError({
      registry: ref.registry,
      repository: ref.repository,
      detail: `no manifest at ${formatReference(ref)}`,
    })
  }
  return descriptor.digest
}

/**
 * Signs the manifest `ref` names with `privateKey` and pushes the signature
 * manifest (existing signatures kept). `annotations` go into the payload's
 * `optional`, as `cosign sign -a key=value` puts them.
 */
export async function signArtifact(
  client: OciClient,
  ref: OciReference,
  privateKey: KeyObject,
  annotations?: Readonly<Record<string, string>>,
): Promise<SignedArtifact> {
  const digest = await resolveDigest(client, ref)
  const repository = `${ref.registry}/${ref.repository}`
  const payload = simpleSigningPayload({
    dockerReference: repository,
    manifestDigest: digest,
    optional: annotations && Object.keys(annotations).length > 0 ? annotations : null,
  })
  const layer = signatureLayer(payload, signPayload(privateKey, payload))
  const tag = signatureTag(digest)
  const existing = await signatureLayers(client, withTag(ref, tag))
  const signed = appendSignature(existing ?? [], layer)
  const tagRef = withTag(ref, tag)
  await client.pushBlob(tagRef, payload, SIMPLE_SIGNING_MEDIA_TYPE)
  await client.pushBlob(tagRef, signed.config)
  // The client pushes compact JSON in key order: the same bytes we built (base64 needs no escapes).
  await client.pushManifest(tagRef, JSON.parse(signed.manifest.toString('utf8')) as ImageManifest)
  return {
    digest,
    repository,
    signatureTag: tag,
    keyId: keyIdOf(privateKey),
    signatures: signed.layers.length,
  }
}

/**
 * Verifies the manifest `ref` names against `trustedKeys`. Throws
 * AION_SIGNATURE_NOT_FOUND (no signature), AION_SIGNATURE_DIGEST_MISMATCH (a
 * trusted signature over another digest), AION_SIGNATURE_PAYLOAD_TAMPERED (a
 * payload blob that is not what its layer names) or AION_SIGNATURE_UNTRUSTED
 * (no signature verifies under a trusted key: another signer, or altered bytes).
 */
export async function verifyArtifact(
  client: OciClient,
  ref: OciReference,
  trustedKeys: readonly TrustedKey[],
): Promise<VerifiedArtifact> {
  const digest = await resolveDigest(client, ref)
  const reference = formatReference(ref)
  const sigRef = withTag(ref, signatureTag(digest))
  const layers = await signatureLayers(client, sigRef)
  if (!layers || layers.length === 0) throw new SignatureNotFoundError({ reference, digest })
  let mismatch: InstanceType<typeof SignatureDigestMismatchError> | undefined
  let tampered: AionError | undefined
  for (const layer of layers) {
    let payload: Buffer
    try {
      payload = await client.fetchBlob(
        sigRef,
        { mediaType: SIMPLE_SIGNING_MEDIA_TYPE, digest: layer.digest, size: layer.size },
        { maxBytes: PAYLOAD_MAX_BYTES },
      )
    } catch (error) {
      if (!isTampering(error)) throw error
      tampered = new SignaturePayloadTamperedError(
        { reference, layerDigest: layer.digest, actualDigest: actualDigestOf(error) },
        { cause: error },
      )
      continue
    }
    const signer = findSigner(trustedKeys, payload, layer.signature)
    if (!signer) continue
    const claims = parseSimpleSigningPayload(payload)
    if (claims.manifestDigest !== digest) {
      mismatch = new SignatureDigestMismatchError({
        reference,
        digest,
        signedDigest: claims.manifestDigest,
        keyId: signer.keyId,
      })
      continue
    }
    return {
      digest,
      keyId: signer.keyId,
      keySource: signer.source,
      payload,
      claims,
      signatures: layers.length,
    }
  }
  throw (
    mismatch ??
    tampered ??
    new SignatureUntrustedError({ reference, digest, signatures: layers.length })
  )
}

/** The signature layers at `sigRef` (a `.sig` tag), or undefined when the tag does not exist. */
export async function signatureLayers(
  client: OciClient,
  sigRef: OciReference,
): Promise<SignatureLayer[] | undefined> {
  const descriptor = await client.resolve(sigRef, MANIFEST_MEDIA_TYPES)
  if (!descriptor) return undefined
  const fetched = await client.fetchManifest(withDigest(sigRef, descriptor.digest), [
    OCI_MANIFEST,
    ...MANIFEST_MEDIA_TYPES.filter((type) => type !== OCI_MANIFEST),
  ])
  return parseSignatureManifest(fetched.bytes, formatReference(sigRef))
}

function isTampering(error: unknown): boolean {
  return (
    error instanceof AionError &&
    (error.code === 'AION_OCI_DIGEST_MISMATCH' || error.code === 'AION_OCI_SIZE_MISMATCH')
  )
}

function actualDigestOf(error: unknown): string {
  const fields = (error as AionError).fields
  return typeof fields.actual === 'string' ? fields.actual : 'of another size'
}
