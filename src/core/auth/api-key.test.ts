import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hashSecret, mintApiKey, parseApiKey, verifySecret } from './api-key.js'
import { hasScope, isOperator, isScope } from './scopes.js'

describe('API keys', () => {
  it('mints keys that parse back into their id and a secret matching the hash', () => {
    for (let i = 0; i < 200; i++) {
      const minted = mintApiKey()
      expect(minted.key).toMatch(/^aion_[a-z2-7]{12}_[0-9a-z]{50}$/)
      const parsed = parseApiKey(minted.key)
      expect(parsed?.keyId).toBe(minted.keyId)
      expect(verifySecret(parsed?.secret ?? '', minted.secretHash)).toBe(true)
      expect(minted.secretHash).not.toContain(parsed?.secret ?? '')
    }
  })

  it('mints distinct ids and secrets', () => {
    const keys = Array.from({ length: 500 }, () => mintApiKey())
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(500)
    expect(new Set(keys.map((k) => k.secretHash)).size).toBe(500)
  })

  it('rejects a wrong secret, a wrong-length hash and a non-hex hash', () => {
    const minted = mintApiKey()
    const secret = parseApiKey(minted.key)?.secret ?? ''
    const flipped = secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a')
    expect(verifySecret(flipped, minted.secretHash)).toBe(false)
    expect(verifySecret(secret, minted.secretHash.slice(2))).toBe(false)
    expect(verifySecret(secret, 'z'.repeat(64))).toBe(false)
    expect(verifySecret(secret, hashSecret(secret))).toBe(true)
  })

  it('refuses anything not shaped exactly like a key', () => {
    const { key } = mintApiKey()
    for (const text of [
      '',
      key.toUpperCase(),
      `${key}x`,
      key.slice(0, -1),
      key.replace('aion_', 'aion-'),
      key.replace(/_([0-9a-z]+)$/, '-$1'),
      `Bearer ${key}`,
    ]) {
      expect(parseApiKey(text), text).toBeUndefined()
    }
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseApiKey(text)
        return parsed === undefined || text === `aion_${parsed.keyId}_${parsed.secret}`
      }),
    )
  })
})

describe('scopes', () => {
  it('grants a held scope, tasks scopes to admin, every scope to operator, and nothing else', () => {
    expect(hasScope(['tasks:read'], 'tasks:read')).toBe(true)
    expect(hasScope(['tasks:read'], 'tasks:write')).toBe(false)
    expect(hasScope(['admin'], 'tasks:write')).toBe(true)
    expect(hasScope(['admin'], 'admin')).toBe(true)
    expect(hasScope(['admin'], 'operator')).toBe(false)
    expect(hasScope(['operator'], 'operator')).toBe(true)
    expect(hasScope(['operator'], 'admin')).toBe(true)
    expect(hasScope(['operator'], 'tasks:write')).toBe(true)
    expect(hasScope([], 'tasks:read')).toBe(false)
    expect(hasScope(['tasks:write'], 'admin')).toBe(false)
    expect(hasScope(['tasks:write', 'tasks:read'], 'operator')).toBe(false)
    expect(isOperator(['admin'])).toBe(false)
    expect(isOperator(['tasks:read', 'operator'])).toBe(true)
    expect(isScope('tasks:write')).toBe(true)
    expect(isScope('operator')).toBe(true)
    expect(isScope('tasks:*')).toBe(false)
  })
})
