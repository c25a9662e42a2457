/**
 * What the gateway needs from wherever API keys are stored: a structural
 * subset of the storage `ApiKeyStore`, so the server passes `store.apiKeys`.
 */

/** An API key as the gateway sees it: never the secret, only its hash. */
export interface ApiKeyLookupRecord {
  readonly keyId: string
  readonly tenantId: string
  readonly secretHash: string
  readonly scopes: readonly string[]
  /** ISO-8601 when revoked; a revoked key is refused at once. */
  readonly revokedAt: string | null
}

/** Looks API keys up by their public id. */
export interface ApiKeyLookup {
  /** The key with this id, revoked ones included; undefined when unknown. */
  findById(keyId: string): Promise<ApiKeyLookupRecord | undefined>
  /** Records that the key was used (called at most once a minute per key). */
  touch?(keyId: string): Promise<void>
}
