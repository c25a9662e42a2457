/**
 * `aionctl keys` as an operator runs it: the package bin in a child process
 * on a real SQLite store; the printed key authenticates against that store.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseApiKey, verifySecret } from '../src/core/auth/index.js'
import { SqliteStore } from '../src/storage/index.js'

const dataDir = mkdtempSync(join(tmpdir(), 'aionctl-keys-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

function aionctl(args: string[]) {
  const result = spawnSync(process.execPath, ['bin/aionctl.js', 'keys', ...args], {
    env: { PATH: process.env.PATH ?? '', AION_DATA_DIR: dataDir },
    encoding: 'utf8',
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

async function storedKey(keyId: string) {
  const store = await SqliteStore.open({ dataDir })
  try {
    return await store.apiKeys.findById(keyId)
  } finally {
    await store.close()
  }
}

describe('aionctl keys', () => {
  it('creates a key, prints it once, and stores only a hash that verifies it', async () => {
    const created = aionctl(['create', '--name', 'ci', '--scope', 'tasks:read', 'admin', '--json'])
    expect(created.code).toBe(0)
    const out = JSON.parse(created.stdout) as { key: string; keyId: string; scopes: string[] }
    expect(out.scopes).toEqual(['tasks:read', 'admin'])
    const parsed = parseApiKey(out.key)
    expect(parsed?.keyId).toBe(out.keyId)
    const record = await storedKey(out.keyId)
    expect(record).toMatchObject({ name: 'ci', scopes: ['tasks:read', 'admin'], revokedAt: null })
    expect(record?.secretHash).not.toContain(parsed?.secret ?? '')
    expect(verifySecret(parsed?.secret ?? '', record?.secretHash ?? '')).toBe(true)
  })

  it('grants tasks:write and tasks:read by default, in human-readable output', () => {
    const created = aionctl(['create'])
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/^key {4}aion_[a-z2-7]{12}_[0-9a-z]{50}\nid {5}[a-z2-7]{12}\n/)
    expect(created.stdout).toContain('scopes tasks:write tasks:read')
  })

  it('grants the operator scope to a key of another tenant when asked', async () => {
    const created = aionctl(['create', '--tenant', 'acme', '--scope', 'operator', '--json'])
    expect(created.code).toBe(0)
    const out = JSON.parse(created.stdout) as { keyId: string; scopes: string[] }
    expect(out.scopes).toEqual(['operator'])
    expect(await storedKey(out.keyId)).toMatchObject({ tenantId: 'acme', scopes: ['operator'] })
  })

  it('refuses an unknown scope as a usage error', () => {
    const refused = aionctl(['create', '--scope', 'tasks:*'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/unknown scope "tasks:\*"/)
  })

  it('lists keys without secrets or hashes, and revokes one', async () => {
    const { keyId, key } = JSON.parse(aionctl(['create', '--json']).stdout) as {
      keyId: string
      key: string
    }
    const listed = aionctl(['list', '--json'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).not.toContain(key.slice(-50))
    expect(listed.stdout).not.toContain((await storedKey(keyId))?.secretHash ?? 'x')
    expect(listed.stdout).not.toMatch(/secret/i)
    const keys = JSON.parse(listed.stdout) as { keyId: string; revokedAt: string | null }[]
    expect(keys.find((k) => k.keyId === keyId)?.revokedAt).toBeNull()

    const revoked = aionctl(['revoke', keyId])
    expect(revoked.code).toBe(0)
    expect((await storedKey(keyId))?.revokedAt).not.toBeNull()
    expect(aionctl(['list']).stdout).toMatch(new RegExp(`${keyId} .*revoked`))
    const again = aionctl(['revoke', keyId])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/no active key/)
  })
})
