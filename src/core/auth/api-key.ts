/**
 * API keys shaped `aion_<id>_<secret>`. The id is public (stored for lookup);
 * only a hash of the secret is stored. Both parts use lowercase alphanumerics
 * only, so the key parses unambiguously on its two fixed `_` separators and a
 * double-click selects all of it.
 */
import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto'

/** The prefix every platform API key starts with. */
export const apiKeyPrefix = 'aion_'

/** Length of a key id: 12 base32 characters (60 random bits). */
export const apiKeyIdLength = 12

/** Length of a secret: 256 random bits in base36, zero-padded (36^50 > 2^256). */
export const apiKeySecretLength = 50

const secretBytes = 32
const base32 = 'abcdefghijklmnopqrstuvwxyz234567'
const keyPattern = /^aion_([a-z2-7]{12})_([0-9a-z]{50})$/
const hashPattern = /^[0-9a-f]{64}$/

/** A freshly minted key: `key` is shown to its owner once and never stored. */
export interface MintedApiKey {
  /** The whole bearer credential, `aion_<keyId>_<secret>`. */
  readonly key: string
  readonly keyId: string
  /** {@link hashSecret} of the secret: the only trace of it that is stored. */
  readonly secretHash: string
}

/** The two parts of a presented key. */
export interface ParsedApiKey {
  readonly keyId: string
  readonly secret: string
}

/** Mints a new key: a random 12-character id and a 256-bit secret. */
export function mintApiKey(): MintedApiKey {
  const keyId = randomKeyId()
  const secret = BigInt(`0x${randomBytes(secretBytes).toString('hex')}`)
    .toString(36)
    .padStart(apiKeySecretLength, '0')
  return { key: `${apiKeyPrefix}${keyId}_${secret}`, keyId, secretHash: hashSecret(secret) }
}

/** Splits `aion_<id>_<secret>` into its parts; undefined when the text is not shaped like a key. */
export function parseApiKey(text: string): ParsedApiKey | undefined {
  const match = keyPattern.exec(text)
  if (match === null) return undefined
  return { keyId: match[1] as string, secret: match[2] as string }
}

/** Whether the text looks like a platform API key (its prefix), whatever its validity. */
export function looksLikeApiKey(text: string): boolean {
  return text.startsWith(apiKeyPrefix)
}

/**
 * SHA-256 of the secret, lowercase hex. A fast hash is right here, unlike for
 * passwords: the secret carries 256 random bits, so no dictionary or brute
 * force applies and a slow KDF would only cost every request its latency.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** Whether the secret hashes to `secretHash`, compared in constant time. */
export function verifySecret(secret: string, secretHash: string): boolean {
  if (!hashPattern.test(secretHash)) return false
  // One-shot: no Hash object per request (crypto.hash, Node ≥ 20.12).
  const actual = hash('sha256', secret, 'buffer')
  return timingSafeEqual(actual, Buffer.from(secretHash, 'hex'))
}

function randomKeyId(): string {
  const bytes = randomBytes(apiKeyIdLength)
  let id = ''
  // 256 is a multiple of 32, so `byte % 32` is uniform.
  for (const byte of bytes) id += base32[byte % 32]
  return id
}
