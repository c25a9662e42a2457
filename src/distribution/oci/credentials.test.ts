import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Secret } from '../../core/secret.js'
import { dockerConfigCredentials, settingsCredentials } from './credentials.js'

const dir = mkdtempSync(join(tmpdir(), 'aion-creds-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function configFile(name: string, content: string): string {
  const file = join(dir, name)
  writeFileSync(file, content)
  return file
}

const b64 = (text: string) => Buffer.from(text).toString('base64')

describe('dockerConfigCredentials', () => {
  it('reads `auths` as docker login writes it, keys with or without scheme and path', async () => {
    const file = configFile(
      'config.json',
      JSON.stringify({
        auths: {
          'registry.example.com': { auth: b64('ci:pa:ss') },
          'https://other.example:5000/v1/': { auth: b64('bot:x') },
          'https://index.docker.io/v1/': { auth: b64('hub:y') },
          'legacy.example': { username: 'old', password: 'z' },
          'empty.example': {},
        },
        credsStore: 'desktop',
      }),
    )
    const source = dockerConfigCredentials(file)
    const main = await source.credentialsFor('Registry.Example.com')
    expect(main?.username).toBe('ci')
    expect(main?.password.reveal()).toBe('pa:ss')
    expect((await source.credentialsFor('other.example:5000'))?.username).toBe('bot')
    expect((await source.credentialsFor('registry-1.docker.io'))?.username).toBe('hub')
    expect((await source.credentialsFor('legacy.example'))?.password.reveal()).toBe('z')
    expect(await source.credentialsFor('empty.example')).toBeUndefined()
    expect(await source.credentialsFor('unknown.example')).toBeUndefined()
  })

  it('treats a missing file as no credentials', async () => {
    expect(
      await dockerConfigCredentials(join(dir, 'none.json')).credentialsFor('r.example'),
    ).toBeUndefined()
  })

  it('refuses a malformed file with AION_OCI_CREDENTIALS_INVALID', async () => {
    for (const [name, content] of [
      ['bad.json', '{ not json'],
      ['bad-auth.json', JSON.stringify({ auths: { 'r.example': { auth: b64('no-colon') } } })],
    ] as const) {
      await expect(
        dockerConfigCredentials(configFile(name, content)).credentialsFor('r.example'),
      ).rejects.toMatchObject({
        code: 'AION_OCI_CREDENTIALS_INVALID',
      })
    }
  })
})

describe('settingsCredentials', () => {
  it('prefers the settings login, then falls back', async () => {
    const fallback = dockerConfigCredentials(
      configFile(
        'fallback.json',
        JSON.stringify({ auths: { 'b.example': { auth: b64('file:1') } } }),
      ),
    )
    const source = settingsCredentials(
      [{ host: 'a.example', username: 'env', password: new Secret('2') }],
      fallback,
    )
    expect((await source.credentialsFor('A.example'))?.username).toBe('env')
    expect((await source.credentialsFor('b.example'))?.username).toBe('file')
    expect(await source.credentialsFor('c.example')).toBeUndefined()
  })
})
