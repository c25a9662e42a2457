/**
 * Bad keys, payloads and signature manifests each fail with their stable code;
 * appending signatures keeps the ones already there.
 */
import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { readCosignPrivateKey, readCosignPublicKey } from './cosign-keys.js'
import { encodePem } from './pem.js'
import {
  appendSignature,
  buildSignatureManifest,
  parseSignatureManifest,
  signatureLayer,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from './signature-manifest.js'
import { parseSimpleSigningPayload, simpleSigningPayload } from './simple-signing.js'
import { loadTrustedKeys } from './trusted-keys.js'

const DIGEST = `sha256:${'ab'.repeat(32)}`
const envelope = (kdf: Record<string, unknown>) =>
  encodePem(
    'ENCRYPTED SIGSTORE PRIVATE KEY',
    Buffer.from(
      JSON.stringify({
        kdf: { name: 'scrypt', params: { N: 32768, r: 8, p: 1 }, salt: 'AAAA', ...kdf },
        cipher: { name: 'nacl/secretbox', nonce: Buffer.alloc(24).toString('base64') },
        ciphertext: 'AAAA',
      }),
    ),
  )

describe('private keys we refuse', () => {
  it.each([
    ['no PEM at all', 'hello'],
    ['a public key', encodePem('PUBLIC KEY', Buffer.from('x'))],
    ['an unencrypted key', encodePem('PRIVATE KEY', Buffer.from('x'))],
    ['a body that is not JSON', encodePem('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from('{'))],
    ['another KDF', envelope({ name: 'pbkdf2' })],
    ['an N that is no power of two', envelope({ params: { N: 30000, r: 8, p: 1 } })],
    ['an N that would take GiBs', envelope({ params: { N: 1 << 21, r: 8, p: 1 } })],
    ['a salt that is not base64', envelope({ salt: 'not base64!' })],
  ])('%s → AION_SIGNING_KEY_INVALID', async (_name, pem) => {
    await expect(readCosignPrivateKey(pem, 'hello', 'k.key')).rejects.toMatchObject({
      code: 'AION_SIGNING_KEY_INVALID',
      fields: { file: 'k.key' },
    })
  })
})

describe('public keys we refuse', () => {
  it('an RSA key (only ECDSA P-256 is cosign-compatible here)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const pem = encodePem('PUBLIC KEY', publicKey.export({ format: 'der', type: 'spki' }))
    expect(() => readCosignPublicKey(pem, 'rsa.pub')).toThrow(
      expect.objectContaining({ code: 'AION_SIGNING_KEY_INVALID' }),
    )
  })

  it('a P-384 key and garbage DER', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' })
    const p384 = encodePem('PUBLIC KEY', publicKey.export({ format: 'der', type: 'spki' }))
    for (const pem of [p384, encodePem('PUBLIC KEY', Buffer.from('garbage'))]) {
      expect(() => readCosignPublicKey(pem, 'x.pub')).toThrow(
        expect.objectContaining({ code: 'AION_SIGNING_KEY_INVALID' }),
      )
    }
  })
})

describe('trusted key files', () => {
  it('load by path, and a missing file is AION_SIGNING_KEY_INVALID naming it', async () => {
    const [key] = await loadTrustedKeys(['test/fixtures/cosign/cosign.pub'])
    expect(key).toMatchObject({ source: 'test/fixtures/cosign/cosign.pub' })
    expect(key!.keyId).toMatch(/^[0-9a-f]{64}$/)
    await expect(loadTrustedKeys(['test/fixtures/cosign/none.pub'])).rejects.toMatchObject({
      code: 'AION_SIGNING_KEY_INVALID',
      fields: { file: 'test/fixtures/cosign/none.pub' },
    })
  })
})

describe('simple-signing payloads', () => {
  it('escape like Go and sort the optional map', () => {
    const bytes = simpleSigningPayload({
      dockerReference: 'r<&>',
      manifestDigest: DIGEST,
      optional: { z: '1', a: '2' },
    })
    expect(bytes.toString()).toContain('"docker-reference":"r\\u003c\\u0026\\u003e"')
    expect(bytes.toString()).toMatch(/"optional":\{"a":"2","z":"1"\}\}$/)
    expect(parseSimpleSigningPayload(bytes).dockerReference).toBe('r<&>')
  })

  it.each([
    ['not JSON', '{'],
    ['another type', JSON.stringify({ critical: { type: 'x' } })],
    [
      'a digest that is not sha256',
      JSON.stringify({
        critical: {
          identity: { 'docker-reference': 'r' },
          image: { 'docker-manifest-digest': 'md5:00' },
          type: 'cosign container image signature',
        },
      }),
    ],
  ])('refuse %s with AION_SIGNATURE_PAYLOAD_INVALID', (_name, json) => {
    expect(() => parseSimpleSigningPayload(Buffer.from(json))).toThrow(
      expect.objectContaining({ code: 'AION_SIGNATURE_PAYLOAD_INVALID' }),
    )
  })

  it('refuse to sign a malformed digest', () => {
    expect(() =>
      simpleSigningPayload({ dockerReference: 'r', manifestDigest: 'sha256:zz', optional: null }),
    ).toThrow(expect.objectContaining({ code: 'AION_SIGNATURE_PAYLOAD_INVALID' }))
  })
})

describe('signature manifests', () => {
  const payload = simpleSigningPayload({
    dockerReference: 'r',
    manifestDigest: DIGEST,
    optional: null,
  })

  it('appending a second signature keeps the first; the same one twice is kept once', () => {
    const first = signatureLayer(payload, 'c2lnMQ==')
    const second = signatureLayer(payload, 'c2lnMg==')
    const both = appendSignature(
      parseSignatureManifest(buildSignatureManifest([first]).manifest, 'r'),
      second,
    )
    expect(parseSignatureManifest(both.manifest, 'r').map((l) => l.signature)).toEqual([
      'c2lnMQ==',
      'c2lnMg==',
    ])
    const config = JSON.parse(both.config.toString()) as {
      rootfs: { diff_ids: string[] }
      history: unknown[]
    }
    expect(config.rootfs.diff_ids).toEqual([first.digest, second.digest])
    expect(config.history).toHaveLength(2)
    expect(appendSignature(both.layers, second).layers).toHaveLength(2)
  })

  it('skip layers of other media types', () => {
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      layers: [{ mediaType: 'application/octet-stream', size: 1, digest: DIGEST }],
    }
    expect(parseSignatureManifest(Buffer.from(JSON.stringify(manifest)), 'r')).toEqual([])
  })

  it.each([
    ['not JSON', '['],
    [
      'an image index',
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [],
      }),
    ],
    ['no layers', JSON.stringify({ schemaVersion: 2 })],
    [
      'a signature layer without its signature',
      JSON.stringify({
        schemaVersion: 2,
        layers: [{ mediaType: SIMPLE_SIGNING_MEDIA_TYPE, size: 1, digest: DIGEST }],
      }),
    ],
    [
      'a layer without a sha256 digest',
      JSON.stringify({
        schemaVersion: 2,
        layers: [{ mediaType: SIMPLE_SIGNING_MEDIA_TYPE, size: 1, digest: 'sha512:00' }],
      }),
    ],
  ])('refuse %s with AION_SIGNATURE_MANIFEST_INVALID', (_name, json) => {
    expect(() => parseSignatureManifest(Buffer.from(json), 'reg/repo:tag')).toThrow(
      expect.objectContaining({ code: 'AION_SIGNATURE_MANIFEST_INVALID' }),
    )
  })
})
