/**
 * Signing payloads and checking them against a set of trusted public keys.
 * cosign's key-based signatures are ECDSA P-256 over SHA-256 of the payload,
 * ASN.1 DER encoded, carried base64 in the signature layer's annotation.
 *
 * A key is named by its key id: the lower-case hex SHA-256 of its SPKI DER
 * (the bytes inside the `PUBLIC KEY` PEM), so the same key has the same id
 * whichever file or setting it came from.
 */
import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { SignatureNoTrustedKeysError, SigningKeyInvalidError } from '../../core/errors/index.js'
import { readCosignPublicKey } from './cosign-keys.js'

/** A public key trusted to sign packages. */
export interface TrustedKey {
  /** Hex SHA-256 of the key's SPKI DER. */
  readonly keyId: string
  readonly publicKey: KeyObject
  /** Where the key came from (a file or setting), for messages. */
  readonly source: string
}

/** The key id of a public (or private) key: hex SHA-256 of its SPKI DER. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex')
}

/** A trusted key from its `PUBLIC KEY` PEM; `source` names it in messages and errors. */
export function trustedKey(pem: string, source: string): TrustedKey {
  const publicKey = readCosignPublicKey(pem, source)
  return { keyId: keyIdOf(publicKey), publicKey, source }
}

/** The base64 DER ECDSA signature of `payload` under `privateKey`, as cosign writes it. */
export function signPayload(privateKey: KeyObject, payload: Uint8Array): string {
  return sign('sha256', payload, { key: privateKey, dsaEncoding: 'der' }).toString('base64')
}

/**
 * The trusted key under which `signature` (base64 DER) verifies over `payload`,
 * or `undefined` when none does. An empty key set is a configuration error.
 */
export function findSigner(
  keys: readonly TrustedKey[],
  payload: Uint8Array,
  signature: string,
): TrustedKey | undefined {
  if (keys.length === 0) throw new SignatureNoTrustedKeysError({})
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return undefined
  const der = Buffer.from(signature, 'base64')
  return keys.find((key) =>
    verify('sha256', payload, { key: key.publicKey, dsaEncoding: 'der' }, der),
  )
}

/**
 * The trusted keys in PEM `PUBLIC KEY` files (as `AION_TRUSTED_KEYS` lists
 * them), each named by its path; a file that cannot be read or holds no
 * P-256 public key is AION_SIGNING_KEY_INVALID.
 */
export async function loadTrustedKeys(files: readonly string[]): Promise<TrustedKey[]> {
  return Promise.all(
    files.map(async (file) => {
      const pem = await readFile(file, 'utf8').catch((error: unknown) => {
        throw new SigningKeyInvalidError(
          { file, detail: `cannot be read: ${(error as Error).message}` },
          { cause: error },
        )
      })
      return trustedKey(pem, file)
    }),
  )
}
