import type { Scope } from '../auth/scopes.js'

/** An API key as its tenant's administrator sees it: never the secret, nor its hash. */
export interface ApiKeyView {
  readonly keyId: string
  readonly name: string
  readonly scopes: readonly string[]
  readonly createdAt: string
  readonly lastUsedAt: string | null
  readonly revokedAt: string | null
}

/** What creating a key needs: a label and the scopes to grant. */
export interface NewKeyCommand {
  readonly name: string
  readonly scopes: readonly Scope[]
}

/** A key just created: `key` (`aion_<id>_<secret>`) is shown this once and stored only hashed. */
export interface CreatedApiKey {
  readonly key: string
  readonly record: ApiKeyView
}
