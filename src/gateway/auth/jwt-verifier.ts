/**
 * JWT bearer tokens, verified with `jose`: an asymmetric algorithm allow-list
 * (never `none`, never HS*, so a token "signed" with the RSA public key as an
 * HMAC secret fails), `exp`/`nbf` with a small leeway, `aud` and (when set)
 * `iss`, keys from a JWKS file or URL. Explicit typing (RFC 8725 §3.11): a
 * token whose `typ` header names another kind of JWT (an ID token, a logout
 * token, a `secevent+jwt`) is refused; only `JWT`, `at+jwt` (RFC 9068) or no
 * `typ` are taken.
 */
import {
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
} from 'jose'
import { fetch as undiciFetch, type Dispatcher } from 'undici'
import { AddressGuard, guardedAgent } from '../../core/egress/index.js'
import type { Actor } from '../../core/domain/index.js'
import {
  AuthExpiredError,
  AuthInvalidError,
  AuthNotYetValidError,
  AuthUnknownKeyIdError,
  isAionError,
  type AionError,
} from '../../core/errors/index.js'
import type { JwtSettings } from '../../core/settings/index.js'
import { openJwksFile, type JwksKeyGetter } from './jwks-file.js'

/** Verifies a compact JWS and returns who it names. */
export interface JwtVerifier {
  /** The actor of a valid token; otherwise throws an `AION_AUTH_*` error. */
  verify(token: string): Promise<Actor>
}

/** Options of {@link createJwtVerifier} beyond the settings. */
export interface JwtVerifierOptions {
  /**
   * JWKS file only: least time between two re-reads on an unknown `kid`.
   * @default 5000
   */
  readonly jwksReloadCooldownMs?: number
  /**
   * JWKS URL only: least time between two fetches on an unknown `kid`.
   * @default 30000
   */
  readonly jwksFetchCooldownMs?: number
  /** Tenant of tokens without a `tenant_id` claim. @default 'default' */
  readonly defaultTenantId?: string
  /** JWKS URL only: judges the address of the issuer's server. @default loopback allowed, private refused */
  readonly guard?: AddressGuard
}

// Symmetric algorithms would let anyone holding the (public) JWKS forge tokens.
const asymmetric = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$|^ES256K$/

/**
 * Builds the verifier from `settings.jwt`. A JWKS file is read now (a missing
 * or malformed file throws `AION_CONFIG_INVALID` at startup); a URL is
 * fetched on first use and cached by `jose`.
 */
export async function createJwtVerifier(
  settings: JwtSettings,
  options: JwtVerifierOptions = {},
): Promise<JwtVerifier> {
  const keys: JwksKeyGetter = /^https?:\/\//.test(settings.jwks)
    ? createRemoteJWKSet(new URL(settings.jwks), {
        cooldownDuration: options.jwksFetchCooldownMs ?? 30_000,
        // jose asks for redirect: 'manual', so a redirect is a failed fetch, never followed.
        [customFetch]: guardedFetch(guardedAgent(options.guard ?? new AddressGuard())),
      })
    : await openJwksFile(settings.jwks, {
        ...(options.jwksReloadCooldownMs === undefined
          ? {}
          : { reloadCooldownMs: options.jwksReloadCooldownMs }),
      })
  const verifyOptions = {
    algorithms: settings.algorithms.filter((alg) => asymmetric.test(alg)),
    audience: settings.audience,
    clockTolerance: settings.clockToleranceSeconds,
    requiredClaims: ['exp', 'sub'],
    ...(settings.issuer === undefined ? {} : { issuer: settings.issuer }),
  }
  const defaultTenantId = options.defaultTenantId ?? 'default'

  return {
    async verify(token) {
      let verified: Awaited<ReturnType<typeof jwtVerify>>
      try {
        verified = await jwtVerify(token, keys, verifyOptions)
      } catch (error) {
        throw translateJoseError(error, token)
      }
      if (!acceptedType(verified.protectedHeader.typ)) {
        throw new AuthInvalidError({ reason: 'the token type (typ) is not JWT or at+jwt' })
      }
      return actorOf(verified.payload, defaultTenantId)
    },
  }
}

const acceptedTypes = new Set(['jwt', 'at+jwt'])

/**
 * `typ` compares case-insensitively and may carry the `application/` prefix
 * (RFC 7515 §4.1.9); absent is accepted (RFC 7519 makes it optional).
 */
function acceptedType(typ: unknown): boolean {
  if (typ === undefined) return true
  if (typeof typ !== 'string') return false
  return acceptedTypes.has(typ.toLowerCase().replace(/^application\//, ''))
}

/** A `fetch` through `dispatcher` that throws a refused connection's own error, not `fetch failed`. */
function guardedFetch(dispatcher: Dispatcher) {
  return async function fetchJwks(url: string, init: RequestInit): Promise<Response> {
    try {
      return (await undiciFetch(url, {
        ...(init as Parameters<typeof undiciFetch>[1]),
        dispatcher,
      })) as unknown as Response
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause
      throw isAionError(cause) ? cause : error
    }
  }
}

function actorOf(payload: JWTPayload, defaultTenantId: string): Actor {
  const tenant = payload.tenant_id
  if (tenant !== undefined && (typeof tenant !== 'string' || tenant === '')) {
    throw new AuthInvalidError({ reason: 'the tenant_id claim must be a non-empty string' })
  }
  return {
    tenantId: tenant ?? defaultTenantId,
    kind: 'jwt',
    id: payload.sub as string,
    scopes: scopesOf(payload),
  }
}

/** Scopes from `scope` (space-separated, RFC 8693) or `scp` (array or string). */
function scopesOf(payload: JWTPayload): readonly string[] {
  const claim = payload.scope ?? payload.scp
  if (typeof claim === 'string') return claim.split(' ').filter((s) => s !== '')
  if (Array.isArray(claim)) return claim.filter((s): s is string => typeof s === 'string')
  return []
}

/** `jose`'s errors → ours; the token never enters a message. */
function translateJoseError(error: unknown, token: string): AionError {
  if (error instanceof errors.JWTExpired) return new AuthExpiredError({}, { cause: error })
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' && error.reason === 'check_failed') {
      return new AuthNotYetValidError({}, { cause: error })
    }
    return new AuthInvalidError({ reason: `the "${error.claim}" claim ${error.reason}` })
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new AuthUnknownKeyIdError({ kid: kidOf(token) }, { cause: error })
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new AuthInvalidError({ reason: 'the token algorithm is not allowed' }, { cause: error })
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthInvalidError({ reason: 'the signature does not verify' }, { cause: error })
  }
  // A refused connection to the issuer (AION_EGRESS_*) stays the cause, for the log.
  const refused = isAionError(error) && error.code.startsWith('AION_EGRESS_')
  if (error instanceof errors.JWKSTimeout || refused) {
    return new AuthInvalidError(
      { reason: 'the issuer keys could not be fetched' },
      { cause: error },
    )
  }
  return new AuthInvalidError({ reason: 'the token is malformed' }, { cause: error })
}

function kidOf(token: string): string | null {
  try {
    const kid = decodeProtectedHeader(token).kid
    return typeof kid === 'string' ? kid : null
  } catch {
    return null
  }
}
