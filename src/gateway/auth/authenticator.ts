/**
 * Turns the credential a request carries — `Authorization: Bearer <API key |
 * JWT>` or `x-api-key: <API key>` — into an {@link Actor}. Transport-neutral,
 * so HTTP, WebSocket and gRPC share it.
 */
import type { Actor } from '../../core/domain/index.js'
import { hashSecret, looksLikeApiKey, parseApiKey, verifySecret } from '../../core/auth/index.js'
import { AuthInvalidError, AuthMissingError, AuthRevokedError } from '../../core/errors/index.js'
import type { ApiKeyLookup } from './api-key-lookup.js'
import type { JwtVerifier } from './jwt-verifier.js'

/** Options of {@link createAuthenticator}. */
export interface AuthenticatorOptions {
  /** Where API keys are looked up (the server passes `store.apiKeys`). */
  readonly apiKeys: ApiKeyLookup
  /** JWT bearer tokens; undefined refuses every JWT. @default undefined */
  readonly jwt?: JwtVerifier | undefined
  /**
   * Least time between two `touch` calls for one key.
   * @default 60000
   */
  readonly touchIntervalMs?: number
  /** Called when recording a key's use fails (the request still succeeds). @default ignore */
  readonly onTouchError?: (error: unknown, keyId: string) => void
}

/** Authenticates raw header values. */
export interface Authenticator {
  /**
   * The actor of the credential in these headers, else throws
   * `AION_AUTH_MISSING` / `_INVALID` / `_EXPIRED` / `_NOT_YET_VALID` /
   * `_REVOKED` / `_UNKNOWN_KEY_ID`.
   */
  authenticate(authorization: string | undefined, apiKeyHeader: string | undefined): Promise<Actor>
}

// Compared against when a key id is unknown, so an unknown id costs the same hash as a known one.
const decoyHash = hashSecret('decoy')
const maxTouchEntries = 10_000

/**
 * Builds an {@link Authenticator}. API keys are looked up on every request
 * (the SQLite store answers from memory while its file is unchanged, see
 * storage/dialect/api-key-cache.ts), so a revocation takes effect on the next request.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { apiKeys, jwt } = options
  const touchIntervalMs = options.touchIntervalMs ?? 60_000
  const touchedAtMs = new Map<string, number>()

  const touch = (keyId: string) => {
    if (apiKeys.touch === undefined) return
    const now = Date.now()
    if (now - (touchedAtMs.get(keyId) ?? -Infinity) < touchIntervalMs) return
    if (touchedAtMs.size >= maxTouchEntries) touchedAtMs.clear()
    touchedAtMs.set(keyId, now)
    apiKeys.touch(keyId).catch((error: unknown) => options.onTouchError?.(error, keyId))
  }

  const verifyApiKey = async (text: string): Promise<Actor> => {
    const parsed = parseApiKey(text)
    if (parsed === undefined) throw new AuthInvalidError({ reason: 'malformed API key' })
    const record = await apiKeys.findById(parsed.keyId)
    const matches = verifySecret(parsed.secret, record?.secretHash ?? decoyHash)
    if (record === undefined || !matches) {
      throw new AuthInvalidError({ reason: 'unknown API key or wrong secret' })
    }
    // Only a holder of the right secret learns that the key was revoked.
    if (record.revokedAt !== null) throw new AuthRevokedError({ keyId: record.keyId })
    touch(record.keyId)
    return { tenantId: record.tenantId, kind: 'api_key', id: record.keyId, scopes: record.scopes }
  }

  return {
    async authenticate(authorization, apiKeyHeader) {
      if (authorization !== undefined) {
        const token = bearerToken(authorization)
        if (looksLikeApiKey(token)) return verifyApiKey(token)
        if (jwt === undefined) {
          throw new AuthInvalidError({ reason: 'JWT bearer tokens are not enabled' })
        }
        return jwt.verify(token)
      }
      if (apiKeyHeader !== undefined) return verifyApiKey(apiKeyHeader.trim())
      throw new AuthMissingError({})
    },
  }
}

function bearerToken(authorization: string): string {
  const space = authorization.indexOf(' ')
  if (space < 0 || authorization.slice(0, space).toLowerCase() !== 'bearer') {
    throw new AuthInvalidError({ reason: 'the Authorization scheme must be Bearer' })
  }
  const token = authorization.slice(space + 1).trim()
  if (token === '') throw new AuthInvalidError({ reason: 'the bearer token is empty' })
  return token
}
