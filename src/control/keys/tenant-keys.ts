/**
 * A tenant's administrator manages its own tenant's API keys: list, create,
 * revoke, always in the caller's tenant (the operator's too: no key of
 * another tenant is reachable here). A key is shown once, at creation; only
 * its id and a hash of its secret are stored. Create and revoke are audited.
 */
import { hasScope, mintApiKey } from '../../core/auth/index.js'
import type { Actor, ApiKeyView, CreatedApiKey, NewKeyCommand } from '../../core/domain/index.js'
import {
  ApiKeyNotFoundError,
  AuthScopeNotGrantableError,
  StoreConflictError,
} from '../../core/errors/index.js'
import type { ApiKeyRecord, Store } from '../../storage/index.js'
import { writeAudit } from '../lifecycle/audit-writes.js'

export async function listKeys(store: Store, actor: Actor): Promise<readonly ApiKeyView[]> {
  return (await store.apiKeys.list(actor.tenantId)).map(viewOf)
}

export async function createKey(
  store: Store,
  actor: Actor,
  command: NewKeyCommand,
): Promise<CreatedApiKey> {
  const scopes = [...new Set(command.scopes)]
  const beyond = scopes.find((scope) => !hasScope(actor.scopes, scope))
  if (beyond !== undefined) throw new AuthScopeNotGrantableError({ scope: beyond })
  // 60-bit random ids collide about never; retry the odd conflict rather than fail.
  for (let attempt = 1; ; attempt++) {
    const minted = mintApiKey()
    const at = new Date().toISOString()
    try {
      const record = await store.transaction(async (tx) => {
        const created = await tx.apiKeys.create({
          tenantId: actor.tenantId,
          keyId: minted.keyId,
          secretHash: minted.secretHash,
          name: command.name,
          scopes,
          createdAt: at,
        })
        const details = { name: command.name, scopes }
        await writeAudit(
          tx,
          { actor, action: 'key.create', target: minted.keyId, outcome: 'success', details },
          at,
        )
        return created
      })
      return { key: minted.key, record: viewOf(record) }
    } catch (error) {
      if (error instanceof StoreConflictError && attempt < 3) continue
      throw error
    }
  }
}

export async function revokeKey(store: Store, actor: Actor, keyId: string): Promise<ApiKeyView> {
  const found = await store.apiKeys.findById(keyId)
  // Another tenant's key answers as no key at all: its existence is not revealed.
  if (found === undefined || found.tenantId !== actor.tenantId) {
    throw new ApiKeyNotFoundError({ keyId })
  }
  if (found.revokedAt !== null) return viewOf(found)
  const at = new Date().toISOString()
  const revoked = await store.transaction(async (tx) => {
    if (!(await tx.apiKeys.revoke(actor.tenantId, keyId, at))) return false
    await writeAudit(tx, { actor, action: 'key.revoke', target: keyId, outcome: 'success' }, at)
    return true
  })
  // Revoked meanwhile by another request: answer the key as the store has it.
  if (!revoked) return viewOf((await store.apiKeys.findById(keyId)) ?? found)
  return viewOf({ ...found, revokedAt: at })
}

/** A stored key without its secret hash or tenant. */
function viewOf(record: ApiKeyRecord): ApiKeyView {
  return {
    keyId: record.keyId,
    name: record.name,
    scopes: record.scopes,
    createdAt: record.createdAt,
    lastUsedAt: record.lastUsedAt,
    revokedAt: record.revokedAt,
  }
}
