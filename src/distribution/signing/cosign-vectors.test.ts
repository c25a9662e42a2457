/**
 * Wire-format tests against genuine cosign artefacts (test/fixtures/cosign,
 * copied from the shared cosign vectors; see its README for their source):
 * what cosign wrote we read and verify, and what we write matches it.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  readCosignPrivateKey,
  readCosignPublicKey,
  generateCosignKeyPair,
  publicKeyPem,
  LEGACY_COSIGN_PRIVATE_KEY_LABEL,
  SIGSTORE_PRIVATE_KEY_LABEL,
} from './cosign-keys.js'
import { decodePem } from './pem.js'
import {
  buildSignatureManifest,
  parseSignatureManifest,
  SIGNATURE_ANNOTATION,
  signatureLayer,
  signatureTag,
} from './signature-manifest.js'
import { parseSimpleSigningPayload, simpleSigningPayload } from './simple-signing.js'
import { findSigner, keyIdOf, signPayload, trustedKey } from './trusted-keys.js'

const dir = resolve('test/fixtures/cosign')
const bytes = (name: string) => readFileSync(join(dir, name))
const text = (name: string) => readFileSync(join(dir, name), 'utf8')

const payload = bytes('payload.json')
const genuineManifest = bytes('signature-manifest.json')
const REPOSITORY = 'localhost:15381/tobby/fixture'
const DIGEST = 'sha256:f20c43161d73848408ef247f0ec7111b19fe58ffebc0cbcaa0d2c8bda4967268'
const genuineSignature = (
  JSON.parse(genuineManifest.toString('utf8')) as {
    layers: { annotations: Record<string, string> }[]
  }
).layers[0]!.annotations[SIGNATURE_ANNOTATION]!

describe('simple-signing payload', () => {
  it('is byte for byte the payload cosign signed for the same repository and digest', () => {
    const ours = simpleSigningPayload({
      dockerReference: REPOSITORY,
      manifestDigest: DIGEST,
      optional: null,
    })
    expect(ours.length).toBe(245)
    expect(ours.equals(payload)).toBe(true)
  })

  it("reads the genuine payload's claims", () => {
    expect(parseSimpleSigningPayload(payload)).toEqual({
      dockerReference: REPOSITORY,
      manifestDigest: DIGEST,
      optional: null,
    })
  })
})

describe('the genuine cosign signature', () => {
  const trusted = [trustedKey(text('cosign.pub'), 'cosign.pub')]

  it('verifies with our verifier and names the key by the SHA-256 of its SPKI DER', () => {
    const signer = findSigner(trusted, payload, genuineSignature)
    expect(signer?.source).toBe('cosign.pub')
    const spki = decodePem(text('cosign.pub'))!.bytes
    expect(signer?.keyId).toBe(createHash('sha256').update(spki).digest('hex'))
  })

  it('fails with any byte of the payload changed', () => {
    let accepted = 0
    for (let index = 0; index < payload.length; index++) {
      const altered = Buffer.from(payload)
      altered[index] = altered[index]! ^ 0x01
      if (findSigner(trusted, altered, genuineSignature)) accepted++
    }
    expect(accepted).toBe(0)
  })

  it('fails under a key that did not make it', async () => {
    const other = await generateCosignKeyPair('x', { scryptN: 1024 })
    expect(findSigner([trustedKey(other.publicKeyPem, 'other')], payload, genuineSignature)).toBe(
      undefined,
    )
  })

  it('is refused when no key is trusted at all', () => {
    expect(() => findSigner([], payload, genuineSignature)).toThrow(
      expect.objectContaining({ code: 'AION_SIGNATURE_NO_TRUSTED_KEYS' }),
    )
  })
})

describe('the genuine encrypted private keys', () => {
  it.each([
    ['sigstore-encrypted.key', SIGSTORE_PRIVATE_KEY_LABEL],
    ['cosign-encrypted-rsa.key', LEGACY_COSIGN_PRIVATE_KEY_LABEL],
  ])(
    '%s (%s, scrypt N=32768) decrypts with hello to a P-256 key that signs',
    async (file, label) => {
      expect(decodePem(text(file))!.label).toBe(label)
      const key = await readCosignPrivateKey(text(file), 'hello', file)
      expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
      const signature = signPayload(key, payload)
      const own = trustedKey(publicKeyPem(key), file)
      expect(findSigner([own], payload, signature)?.keyId).toBe(keyIdOf(key))
    },
  )

  it('refuses a wrong password with AION_SIGNING_KEY_PASSWORD_WRONG', async () => {
    await expect(
      readCosignPrivateKey(text('sigstore-encrypted.key'), 'hullo', 'sigstore-encrypted.key'),
    ).rejects.toMatchObject({ code: 'AION_SIGNING_KEY_PASSWORD_WRONG' })
  })
})

describe('the genuine signature manifest', () => {
  it('is byte for byte what we build for the same payload and signature', () => {
    const ours = buildSignatureManifest([signatureLayer(payload, genuineSignature)])
    expect(ours.manifest.toString('utf8')).toBe(genuineManifest.toString('utf8'))
    expect(ours.configDigest).toBe(
      'sha256:2122b6ad0794d3fdae43a4b477cf1d95d4a38d3c5f10631e199676039b876e37',
    )
    expect(ours.config.length).toBe(233)
  })

  it('matches ours field by field for a signature of our own key', async () => {
    const pair = await generateCosignKeyPair('pw', { scryptN: 1024 })
    const key = await readCosignPrivateKey(pair.privateKeyPem, 'pw', 'ours')
    const signature = signPayload(key, payload)
    const ours = JSON.parse(
      buildSignatureManifest([signatureLayer(payload, signature)]).manifest.toString(),
    ) as Record<string, unknown>
    const genuine = JSON.parse(genuineManifest.toString()) as Record<string, unknown>
    const withoutSignature = (manifest: Record<string, unknown>) =>
      JSON.stringify(manifest).replace(/"dev\.cosignproject\.cosign\/signature":"[^"]*"/, '')
    expect(withoutSignature(ours)).toBe(withoutSignature(genuine))
    expect(Object.keys(ours)).toEqual(Object.keys(genuine))
    expect(findSigner([trustedKey(pair.publicKeyPem, 'ours')], payload, signature)).toBeDefined()
  })

  it('parses to its one signature layer', () => {
    const layers = parseSignatureManifest(genuineManifest, 'vector')
    expect(layers).toEqual([
      {
        digest: 'sha256:3a29d26a2fc848d25ccf9c2288194ca90599e70ef69087644f186e5e7331f28b',
        size: 245,
        signature: genuineSignature,
        annotations: { [SIGNATURE_ANNOTATION]: genuineSignature },
      },
    ])
    expect(signatureTag(DIGEST)).toBe(
      'sha256-f20c43161d73848408ef247f0ec7111b19fe58ffebc0cbcaa0d2c8bda4967268.sig',
    )
  })
})

describe('our keys', () => {
  it('are written as cosign writes them and round-trip', async () => {
    const pair = await generateCosignKeyPair('s3cret')
    const block = decodePem(pair.privateKeyPem)!
    expect(block.label).toBe(SIGSTORE_PRIVATE_KEY_LABEL)
    const envelope = JSON.parse(block.bytes.toString()) as Record<string, Record<string, unknown>>
    const genuine = JSON.parse(
      decodePem(text('sigstore-encrypted.key'))!.bytes.toString(),
    ) as Record<string, Record<string, unknown>>
    expect(shape(envelope)).toEqual(shape(genuine))
    expect(envelope.kdf!.params).toEqual({ N: 65536, r: 8, p: 1 })
    expect(Buffer.from(envelope.kdf!.salt as string, 'base64')).toHaveLength(32)
    expect(Buffer.from(envelope.cipher!.nonce as string, 'base64')).toHaveLength(24)
    // Lines of 64 base64 characters, as Go's encoding/pem writes them.
    expect(
      pair.privateKeyPem
        .split('\n')
        .slice(1, -3)
        .every((l) => l.length === 64),
    ).toBe(true)

    const privateKey = await readCosignPrivateKey(pair.privateKeyPem, 's3cret', 'cosign.key')
    const publicKey = readCosignPublicKey(pair.publicKeyPem, 'cosign.pub')
    expect(keyIdOf(privateKey)).toBe(keyIdOf(publicKey))
    const signature = signPayload(privateKey, payload)
    expect(
      findSigner([trustedKey(pair.publicKeyPem, 'cosign.pub')], payload, signature),
    ).toBeDefined()
    await expect(
      readCosignPrivateKey(pair.privateKeyPem, 's3cre', 'cosign.key'),
    ).rejects.toMatchObject({
      code: 'AION_SIGNING_KEY_PASSWORD_WRONG',
    })
  })
})

/** Keys of an object in order, recursively, with leaf values replaced by their type. */
function shape(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return typeof value
  return Object.entries(value).map(([key, inner]) => [key, shape(inner)])
}
