import { mintApiKey } from '../core/auth/index.js'
import type { Store } from '../storage/index.js'

/**
 * On a first start with no API keys, creates a development key of the
 * default tenant with the operator scope (every tenant, the whole platform)
 * and returns it (shown once; only its hash is stored).
 */
export async function ensureDevApiKey(
  store: Store,
  tenantId = 'default',
): Promise<string | undefined> {
  if ((await store.apiKeys.list(tenantId)).length > 0) return undefined
  const minted = mintApiKey()
  await store.apiKeys.create({
    tenantId,
    keyId: minted.keyId,
    secretHash: minted.secretHash,
    name: 'development key (created on first start)',
    scopes: ['operator'],
  })
  return minted.key
}
