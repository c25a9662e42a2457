/** An API key as stored: never the secret, only its hash. */
export interface ApiKeyRecord {
  readonly tenantId: string
  /** Public lookup id (the part of the bearer token before the secret). Unique across tenants. */
  readonly keyId: string
  readonly secretHash: string
  readonly name: string
  readonly scopes: readonly string[]
  readonly createdAt: string
  readonly revokedAt: string | null
  readonly lastUsedAt: string | null
}

/** What {@link ApiKeyStore.create} needs. */
export interface NewApiKey {
  /** @default 'default' */
  readonly tenantId?: string
  readonly keyId: string
  readonly secretHash: string
  readonly name: string
  readonly scopes: readonly string[]
  /** ISO-8601; @default now */
  readonly createdAt?: string
}

/** The `api_keys` table. */
export interface ApiKeyStore {
  /** A duplicate key id throws `StoreConflictError`. */
  create(input: NewApiKey): Promise<ApiKeyRecord>
  /** Looks a key up by id alone (the gateway learns the tenant from the key). Revoked keys are returned with `revokedAt` set. */
  findById(keyId: string): Promise<ApiKeyRecord | undefined>
  list(tenantId: string): Promise<ApiKeyRecord[]>
  /** Sets `revokedAt`; false when the key does not exist or was already revoked. */
  revoke(tenantId: string, keyId: string, at?: string): Promise<boolean>
  /** Sets `lastUsedAt`. */
  touch(keyId: string, at?: string): Promise<void>
}
