/**
 * Keys as cosign writes and reads them. The public key is a PEM `PUBLIC KEY`
 * (SPKI DER). The private key is a PEM `ENCRYPTED SIGSTORE PRIVATE KEY` (or,
 * from older cosign, `ENCRYPTED COSIGN PRIVATE KEY`) whose body is the JSON
 * envelope of go-securesystemslib's `encrypted` package:
 * `{"kdf":{"name":"scrypt","params":{"N":…,"r":…,"p":…},"salt":"…"},"cipher":{"name":"nacl/secretbox","nonce":"…"},"ciphertext":"…"}`
 * — scrypt derives a 32-byte key from the password and the salt, and NaCl
 * secretbox (XSalsa20-Poly1305) seals the PKCS#8 DER of the key.
 * Only ECDSA P-256 keys are accepted: cosign's default, verified over SHA-256.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  scrypt,
  type ScryptOptions,
} from 'node:crypto'
import { secretbox } from '@noble/ciphers/salsa.js'
import { SigningKeyInvalidError, SigningKeyPasswordWrongError } from '../../core/errors/index.js'
import { decodePem, encodePem } from './pem.js'

/** The label cosign (v1.x and later) writes on encrypted private keys. */
export const SIGSTORE_PRIVATE_KEY_LABEL = 'ENCRYPTED SIGSTORE PRIVATE KEY'
/** The label of the first cosign releases, still read. */
export const LEGACY_COSIGN_PRIVATE_KEY_LABEL = 'ENCRYPTED COSIGN PRIVATE KEY'
/** The label of a public key (SPKI DER). */
export const PUBLIC_KEY_LABEL = 'PUBLIC KEY'

/** scrypt cost cosign uses for new keys (go-securesystemslib's default). */
export const DEFAULT_SCRYPT_N = 65536
const SCRYPT_R = 8
const SCRYPT_P = 1
// Readable costs: cosign's 2^15 and 2^16 and a margin, never one that would take minutes or GiBs.
const MAX_SCRYPT_N = 1 << 20
const MAX_SCRYPT_R = 16
const MAX_SCRYPT_P = 4
const KEY_BYTES = 32
const SALT_BYTES = 32
const NONCE_BYTES = 24

/** A key pair as the two files cosign writes (`cosign.key`, `cosign.pub`). */
export interface CosignKeyPairPem {
  readonly privateKeyPem: string
  readonly publicKeyPem: string
}

/** Makes a P-256 key pair and encrypts its private key with `password`. */
export async function generateCosignKeyPair(
  password: string,
  options: { scryptN?: number } = {},
): Promise<CosignKeyPairPem> {
  const { privateKey, publicKey } = await new Promise<{
    privateKey: KeyObject
    publicKey: KeyObject
  }>((resolve, reject) =>
    generateKeyPair('ec', { namedCurve: 'P-256' }, (error, publicKey, privateKey) =>
      error ? reject(error) : resolve({ privateKey, publicKey }),
    ),
  )
  return {
    privateKeyPem: await encryptPrivateKey(privateKey, password, options),
    publicKeyPem: encodePem(PUBLIC_KEY_LABEL, publicKey.export({ format: 'der', type: 'spki' })),
  }
}

/** The `ENCRYPTED SIGSTORE PRIVATE KEY` PEM of `privateKey`. */
export async function encryptPrivateKey(
  privateKey: KeyObject,
  password: string,
  options: { scryptN?: number } = {},
): Promise<string> {
  const N = options.scryptN ?? DEFAULT_SCRYPT_N
  const salt = randomBytes(SALT_BYTES)
  const nonce = randomBytes(NONCE_BYTES)
  const key = await deriveKey(password, salt, { N, r: SCRYPT_R, p: SCRYPT_P })
  const ciphertext = secretbox(key, nonce).seal(privateKey.export({ format: 'der', type: 'pkcs8' }))
  // Field order and names as go-securesystemslib marshals its struct.
  const envelope =
    `{"kdf":{"name":"scrypt","params":{"N":${N},"r":${SCRYPT_R},"p":${SCRYPT_P}},` +
    `"salt":"${salt.toString('base64')}"},"cipher":{"name":"nacl/secretbox",` +
    `"nonce":"${nonce.toString('base64')}"},"ciphertext":"${Buffer.from(ciphertext).toString('base64')}"}`
  return encodePem(SIGSTORE_PRIVATE_KEY_LABEL, Buffer.from(envelope, 'utf8'))
}

/**
 * Decrypts a cosign private key. `file` names the key in errors:
 * AION_SIGNING_KEY_INVALID for anything unreadable, AION_SIGNING_KEY_PASSWORD_WRONG
 * when the secretbox does not open.
 */
export async function readCosignPrivateKey(
  pem: string,
  password: string,
  file: string,
): Promise<KeyObject> {
  const block = decodePem(pem)
  if (!block) throw new SigningKeyInvalidError({ file, detail: 'no PEM block' })
  if (
    block.label !== SIGSTORE_PRIVATE_KEY_LABEL &&
    block.label !== LEGACY_COSIGN_PRIVATE_KEY_LABEL
  ) {
    throw new SigningKeyInvalidError({
      file,
      detail: `PEM label ${block.label}, not ${SIGSTORE_PRIVATE_KEY_LABEL}`,
    })
  }
  const envelope = parseEnvelope(block.bytes, file)
  const key = await deriveKey(password, envelope.salt, envelope.params)
  let der: Uint8Array
  try {
    der = secretbox(key, envelope.nonce).open(envelope.ciphertext)
  } catch (error) {
    throw new SigningKeyPasswordWrongError({ file }, { cause: error })
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
  } catch (error) {
    throw new SigningKeyInvalidError({ file, detail: 'not a PKCS#8 key' }, { cause: error })
  }
  requireP256(privateKey, file)
  return privateKey
}

/** Reads a `PUBLIC KEY` PEM; AION_SIGNING_KEY_INVALID unless it is an ECDSA P-256 key. */
export function readCosignPublicKey(pem: string, file: string): KeyObject {
  const block = decodePem(pem)
  if (!block || block.label !== PUBLIC_KEY_LABEL) {
    throw new SigningKeyInvalidError({ file, detail: `no ${PUBLIC_KEY_LABEL} PEM block` })
  }
  let publicKey: KeyObject
  try {
    publicKey = createPublicKey({ key: block.bytes, format: 'der', type: 'spki' })
  } catch (error) {
    throw new SigningKeyInvalidError({ file, detail: 'not an SPKI public key' }, { cause: error })
  }
  requireP256(publicKey, file)
  return publicKey
}

/** The public half of a private key as a `PUBLIC KEY` PEM. */
export function publicKeyPem(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  return encodePem(PUBLIC_KEY_LABEL, publicKey.export({ format: 'der', type: 'spki' }))
}

function requireP256(key: KeyObject, file: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new SigningKeyInvalidError({
      file,
      detail: `a ${key.asymmetricKeyType ?? 'unknown'} ${key.asymmetricKeyDetails?.namedCurve ?? ''} key; only ECDSA P-256 keys are supported`,
    })
  }
}

interface Envelope {
  readonly params: { N: number; r: number; p: number }
  readonly salt: Buffer
  readonly nonce: Buffer
  readonly ciphertext: Buffer
}

function parseEnvelope(bytes: Buffer, file: string): Envelope {
  const invalid = (detail: string): never => {
    throw new SigningKeyInvalidError({ file, detail })
  }
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8'))
  } catch {
    return invalid('the PEM body is not the JSON envelope of an encrypted key')
  }
  const kdf = get(json, 'kdf')
  const cipher = get(json, 'cipher')
  if (get(kdf, 'name') !== 'scrypt') invalid('kdf.name is not scrypt')
  if (get(cipher, 'name') !== 'nacl/secretbox') invalid('cipher.name is not nacl/secretbox')
  const params = get(kdf, 'params')
  const N = get(params, 'N')
  const r = get(params, 'r')
  const p = get(params, 'p')
  const isInt = (v: unknown, max: number): v is number =>
    typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max
  if (!isInt(N, MAX_SCRYPT_N) || N < 2 || (N & (N - 1)) !== 0) {
    return invalid(`kdf.params.N must be a power of two up to ${MAX_SCRYPT_N}`)
  }
  if (!isInt(r, MAX_SCRYPT_R)) return invalid(`kdf.params.r must be 1..${MAX_SCRYPT_R}`)
  if (!isInt(p, MAX_SCRYPT_P)) return invalid(`kdf.params.p must be 1..${MAX_SCRYPT_P}`)
  const salt = base64Field(get(kdf, 'salt'), 'kdf.salt', invalid)
  const nonce = base64Field(get(cipher, 'nonce'), 'cipher.nonce', invalid)
  if (nonce.length !== NONCE_BYTES) invalid(`cipher.nonce is not ${NONCE_BYTES} bytes`)
  const ciphertext = base64Field(get(json, 'ciphertext'), 'ciphertext', invalid)
  return { params: { N, r, p }, salt, nonce, ciphertext }
}

function base64Field(value: unknown, name: string, invalid: (detail: string) => never): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4) {
    return invalid(`${name} is not base64`)
  }
  return Buffer.from(value, 'base64')
}

function get(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined
}

function deriveKey(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  // scrypt needs 128·N·r bytes (64 MiB at cosign's N=65536); Node's default cap is 32 MiB.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 }
  return new Promise((resolve, reject) =>
    scrypt(Buffer.from(password, 'utf8'), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )
}
