/**
 * HTTPS and mutual TLS from settings: certificates made by `openssl` in the
 * test, clients with undici agents that trust the test CA.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, fetch } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

const dir = mkdtempSync(join(tmpdir(), 'aion-tls-'))
const file = (name: string) => join(dir, name)

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' })
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=aion test CA',
  )
  for (const [name, subject] of [
    ['server', '/CN=127.0.0.1'],
    ['client', '/CN=aion test client'],
  ] as const) {
    openssl(
      'req',
      ...ec,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      subject,
    )
    const extensions = file(`${name}.ext`)
    execFileSync('sh', [
      '-c',
      `printf '%s\\n' "${name === 'server' ? 'subjectAltName=IP:127.0.0.1' : 'extendedKeyUsage=clientAuth'}" > '${extensions}'`,
    ])
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.pem`),
      '-days',
      '1',
      '-extfile',
      extensions,
    )
  }
}

let t: TestPlatform
beforeAll(async () => {
  makeCertificates()
  t = await startTestPlatform({
    env: {
      AION_TLS_CERT_FILE: file('server.pem'),
      AION_TLS_KEY_FILE: file('server.key'),
      AION_TLS_CLIENT_CA_FILE: file('ca.pem'),
    },
  })
})
afterAll(async () => {
  await t.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('TLS', () => {
  it('serves HTTPS and requires a client certificate signed by the configured CA', async () => {
    expect(t.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const ca = readFileSync(file('ca.pem'))
    const withCert = new Agent({
      connect: {
        ca,
        cert: readFileSync(file('client.pem')),
        key: readFileSync(file('client.key')),
      },
    })
    const response = await fetch(`${t.url}/healthz`, { dispatcher: withCert })
    expect(response.status).toBe(200)
    await withCert.close()

    const withoutCert = new Agent({ connect: { ca } })
    await expect(fetch(`${t.url}/healthz`, { dispatcher: withoutCert })).rejects.toThrow()
    await withoutCert.close()
  })
})
