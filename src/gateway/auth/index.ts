/** Gateway authentication: API keys and JWT bearer tokens → `Actor`, and scope checks. */
export type { ApiKeyLookup, ApiKeyLookupRecord } from './api-key-lookup.js'
export {
  actorOf,
  registerAuth,
  requireScope,
  type AuthHooks,
  type RequestHook,
} from './auth-hooks.js'
export {
  createAuthenticator,
  type Authenticator,
  type AuthenticatorOptions,
} from './authenticator.js'
export { openJwksFile, type JwksFileOptions, type JwksKeyGetter } from './jwks-file.js'
export { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from './jwt-verifier.js'
