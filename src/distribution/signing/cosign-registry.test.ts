/**
 * Signing and verification in a real registry (Debian's docker-registry,
 * distribution 2.8): what we push at `sha256-<hex>.sig` has cosign's shape
 * field by field (compared with the genuine cosign signature manifest), and
 * each way a signature can be wrong fails with its own code — no signature,
 * an untrusted key, a signature copied onto another digest, a payload blob
 * altered in the registry's storage, a payload altered and re-pushed.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithEngine } from '../../../test/support/engines.js'
import {
  probeRegistry,
  startRegistry,
  stopRegistries,
  type TestRegistry,
} from '../../../test/support/registry.js'
import {
  anonymous,
  type ImageManifest,
  OciClient,
  type OciReference,
  packPackage,
  type PackedPackage,
  parseReference,
  pushPackage,
  withDigest,
  withTag,
} from '../oci/index.js'
import { publicKeyPem } from './cosign-keys.js'
import { signArtifact, signatureLayers, verifyArtifact } from './cosign-registry.js'
import { buildSignatureManifest, signatureTag } from './signature-manifest.js'
import { simpleSigningPayload } from './simple-signing.js'
import { keyIdOf, trustedKey, type TrustedKey } from './trusted-keys.js'
import { failureOf } from '../../../test/support/failure.js'

const ECHO = resolve('test/fixtures/modules/subprocess/echo')
const REDACT = resolve('modules/redact_pii')
const genuine = JSON.parse(
  readFileSync(resolve('test/fixtures/cosign/signature-manifest.json'), 'utf8'),
) as ImageManifest

function p256(): { privateKey: KeyObject; trusted: TrustedKey } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { privateKey, trusted: trustedKey(publicKeyPem(privateKey), 'test key') }
}

describeWithEngine('docker-registry', probeRegistry(), () => {
  let registry: TestRegistry
  let client: OciClient
  let echo: PackedPackage
  let redact: PackedPackage
  const signer = p256()
  const stranger = p256()

  const push = async (
    repository: string,
    packed: PackedPackage,
    tag = packed.manifest.metadata.version,
  ): Promise<OciReference> => {
    const ref = parseReference(`${registry.host}/${repository}:${tag}`)
    await pushPackage(client, ref, packed)
    return ref
  }

  beforeAll(async () => {
    registry = await startRegistry()
    client = new OciClient({ credentials: anonymous })
    echo = await packPackage(ECHO)
    redact = await packPackage(REDACT)
  })
  afterAll(async () => {
    await client?.close()
    await stopRegistries()
  })

  it('signs at sha256-<hex>.sig in cosign shape and verifies, naming the key', async () => {
    const ref = await push('team/echo', echo)
    const signed = await signArtifact(client, ref, signer.privateKey)
    const digest = (await client.resolve(ref))!.digest
    expect(signed).toMatchObject({ digest, signatureTag: signatureTag(digest), signatures: 1 })
    expect(signed.keyId).toBe(keyIdOf(signer.privateKey))

    const stored = await client.fetchImageManifest(withTag(ref, signatureTag(digest)))
    const ours = stored.manifest
    expect(ours.mediaType).toBe(genuine.mediaType)
    expect(ours.config.mediaType).toBe(genuine.config.mediaType)
    expect(ours.layers).toHaveLength(1)
    expect(ours.layers[0]!.mediaType).toBe(genuine.layers[0]!.mediaType)
    expect(Object.keys(ours.layers[0]!.annotations!)).toEqual(
      Object.keys(genuine.layers[0]!.annotations!),
    )
    expect(Object.keys(ours)).toEqual(Object.keys(genuine))
    const payload = simpleSigningPayload({
      dockerReference: `${registry.host}/team/echo`,
      manifestDigest: digest,
      optional: null,
    })
    const layers = (await signatureLayers(client, withTag(ref, signatureTag(digest))))!
    // The config lists the layers as cosign's does, so its digest is the one cosign computes.
    expect(ours.config.digest).toBe(buildSignatureManifest(layers).configDigest)
    expect(await client.fetchBlob(ref, ours.layers[0]!)).toEqual(payload)

    const verified = await verifyArtifact(client, ref, [stranger.trusted, signer.trusted])
    expect(verified).toMatchObject({ digest, keyId: signer.trusted.keyId, signatures: 1 })
    expect(verified.payload.equals(payload)).toBe(true)
    // By digest as well as by tag.
    expect((await verifyArtifact(client, withDigest(ref, digest), [signer.trusted])).keyId).toBe(
      signer.trusted.keyId,
    )
  })

  it('keeps the first signature when a second is appended; either key verifies', async () => {
    const ref = await push('team/two-signers', echo)
    await signArtifact(client, ref, signer.privateKey)
    const second = await signArtifact(client, ref, stranger.privateKey)
    expect(second.signatures).toBe(2)
    expect((await verifyArtifact(client, ref, [signer.trusted])).signatures).toBe(2)
    expect((await verifyArtifact(client, ref, [stranger.trusted])).keyId).toBe(
      stranger.trusted.keyId,
    )
  })

  it('an unsigned package: AION_SIGNATURE_NOT_FOUND', async () => {
    const ref = await push('team/unsigned', echo)
    expect((await failureOf(verifyArtifact(client, ref, [signer.trusted]))).code).toBe(
      'AION_SIGNATURE_NOT_FOUND',
    )
  })

  it('a signature by a key not trusted: AION_SIGNATURE_UNTRUSTED', async () => {
    const ref = await push('team/untrusted', echo)
    await signArtifact(client, ref, stranger.privateKey)
    expect((await failureOf(verifyArtifact(client, ref, [signer.trusted]))).code).toBe(
      'AION_SIGNATURE_UNTRUSTED',
    )
  })

  it('a valid signature copied onto another digest: AION_SIGNATURE_DIGEST_MISMATCH', async () => {
    const signedRef = await push('team/swap', echo, 'signed')
    const otherRef = await push('team/swap', redact, 'other')
    await signArtifact(client, signedRef, signer.privateKey)
    const signedDigest = (await client.resolve(signedRef))!.digest
    const otherDigest = (await client.resolve(otherRef))!.digest
    const sig = await client.fetchImageManifest(withTag(signedRef, signatureTag(signedDigest)))
    await client.pushManifest(withTag(otherRef, signatureTag(otherDigest)), sig.manifest)
    const error = await failureOf(verifyArtifact(client, otherRef, [signer.trusted]))
    expect(error).toMatchObject({
      code: 'AION_SIGNATURE_DIGEST_MISMATCH',
      fields: { signedDigest, digest: otherDigest },
    })
  })

  it('a payload blob altered in the registry: AION_SIGNATURE_PAYLOAD_TAMPERED', async () => {
    const ref = await push('team/tampered-blob', echo)
    const signed = await signArtifact(client, ref, signer.privateKey)
    const [layer] = (await signatureLayers(client, withTag(ref, signed.signatureTag)))!
    const file = registry.blobDataPath(layer!.digest)
    const bytes = readFileSync(file)
    // Same length, one digit of the signed digest changed.
    writeFileSync(
      file,
      Buffer.from(
        bytes
          .toString()
          .replace(/sha256:(.)/, (_m, c: string) => `sha256:${c === '0' ? '1' : '0'}`),
      ),
    )
    expect((await failureOf(verifyArtifact(client, ref, [signer.trusted]))).code).toBe(
      'AION_SIGNATURE_PAYLOAD_TAMPERED',
    )
  })

  it('a payload altered and re-pushed with its old signature: AION_SIGNATURE_UNTRUSTED', async () => {
    const ref = await push('team/tampered-payload', echo)
    const signed = await signArtifact(client, ref, signer.privateKey)
    const sigRef = withTag(ref, signed.signatureTag)
    const [layer] = (await signatureLayers(client, sigRef))!
    const payload = await client.fetchBlob(ref, {
      mediaType: 'x/y',
      digest: layer!.digest,
      size: layer!.size,
    })
    const altered = Buffer.from(payload.toString().replace('"optional":null', '"optional":{}'))
    const rebuilt = buildSignatureManifest([
      { ...layer!, digest: (await client.pushBlob(sigRef, altered)).digest, size: altered.length },
    ])
    await client.pushBlob(sigRef, rebuilt.config)
    await client.pushManifest(sigRef, JSON.parse(rebuilt.manifest.toString()) as ImageManifest)
    expect((await failureOf(verifyArtifact(client, ref, [signer.trusted]))).code).toBe(
      'AION_SIGNATURE_UNTRUSTED',
    )
  })

  it('no trusted key at all: AION_SIGNATURE_NO_TRUSTED_KEYS', async () => {
    const ref = await push('team/nokeys', echo)
    await signArtifact(client, ref, signer.privateKey)
    expect((await failureOf(verifyArtifact(client, ref, []))).code).toBe(
      'AION_SIGNATURE_NO_TRUSTED_KEYS',
    )
  })
})
