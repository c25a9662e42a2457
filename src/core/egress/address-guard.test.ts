/**
 * The guard and its connector against real sockets: a refused address fails
 * before any connection exists (the server counts none), an allowed one
 * connects to the address that was judged.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'undici'
import { startUpstream, type Upstream } from '../../../test/upstream/openai-upstream.js'
import { failureOf } from '../../../test/support/failure.js'
import { AddressGuard, type AddressLookup } from './address-guard.js'
import { guardedAgent } from './guarded-connector.js'
import { NetworkList } from './network-list.js'

let loopback: Upstream
let second: Upstream

beforeAll(async () => {
  loopback = await startUpstream()
  second = await startUpstream({ host: '127.0.0.2' })
})
afterAll(async () => {
  await Promise.all([loopback.close(), second.close()])
})

const port = (upstream: Upstream) => new URL(upstream.origin).port

async function get(guard: AddressGuard, url: string, placement?: 'on-premises') {
  const agent = guardedAgent(guard, placement === undefined ? {} : { placement })
  try {
    const response = await request(url, { method: 'POST', dispatcher: agent, body: '{}' })
    await response.body.dump()
    return response.statusCode
  } finally {
    await agent.close()
  }
}

describe('AddressGuard.refusal', () => {
  it('refuses link-local, metadata and unspecified whatever the settings', () => {
    const open = new AddressGuard({ allowLoopback: true, allowPrivate: true })
    expect(open.refusal('169.254.169.254')).toBe('metadata')
    expect(open.refusal('fe80::1')).toBe('link-local')
    expect(open.refusal('0.0.0.0')).toBe('unspecified')
    expect(open.refusal('::')).toBe('unspecified')
    expect(open.refusal('10.0.0.1')).toBeUndefined()
    expect(open.refusal('::ffff:127.0.0.1')).toBeUndefined()
  })

  it('refuses loopback and private unless allowed (loopback allowed by default)', () => {
    const dev = new AddressGuard()
    expect(dev.refusal('127.0.0.1')).toBeUndefined()
    expect(dev.refusal('192.168.0.1')).toBe('private')
    expect(dev.refusal('100.64.1.1')).toBe('private')
    const strict = new AddressGuard({ allowLoopback: false })
    expect(strict.refusal('127.0.0.1')).toBe('loopback')
    expect(strict.refusal('::ffff:7f00:1')).toBe('loopback')
    expect(strict.refusal('8.8.8.8')).toBeUndefined()
  })

  it('allows a private network declared on the premises, and no other', () => {
    const guard = new AddressGuard({
      localNetworks: new NetworkList(['127.0.0.0/8', '10.1.0.0/16']),
    })
    expect(guard.refusal('10.1.2.3')).toBeUndefined()
    expect(guard.refusal('10.2.0.1')).toBe('private')
    expect(guard.refusal('192.168.1.1')).toBe('private')
    const noLoopback = new AddressGuard({ allowLoopback: false })
    // Loopback keeps its own switch, though it is on the premises by default.
    expect(noLoopback.refusal('127.0.0.1')).toBe('loopback')
  })
})

describe('guardedConnector', () => {
  it('connects to an allowed address', async () => {
    expect(await get(new AddressGuard(), `${loopback.url}/chat/completions`)).toBe(200)
    expect(loopback.connections()).toBeGreaterThan(0)
  })

  it.each(['127.1', '2130706433', '0x7f000001', '0177.0.0.1', '[::ffff:127.0.0.1]', 'localhost'])(
    'refuses %s as loopback before connecting when loopback is not allowed',
    async (host) => {
      const before = loopback.connections()
      const guard = new AddressGuard({ allowLoopback: false })
      const error = await failureOf(get(guard, `http://${host}:${port(loopback)}/v1/x`))
      expect(error).toMatchObject({ code: 'AION_EGRESS_ADDRESS_REFUSED' })
      expect(String((error as Error).message)).toContain('a loopback address')
      expect(loopback.connections()).toBe(before)
    },
  )

  it('refuses a host name that resolves to a metadata address, whatever is allowed', async () => {
    const lookup: AddressLookup = async (host) =>
      host === 'metadata.test' ? ['169.254.169.254'] : ['127.0.0.1']
    const guard = new AddressGuard({ allowLoopback: true, allowPrivate: true }, lookup)
    const error = await failureOf(get(guard, 'http://metadata.test/latest/meta-data/'))
    expect(error).toMatchObject({ code: 'AION_EGRESS_ADDRESS_REFUSED' })
    expect(String((error as Error).message)).toContain('169.254.169.254, a metadata address')
  })

  it('refuses a host whose answers mix an allowed and a refused address', async () => {
    const lookup: AddressLookup = async () => ['127.0.0.1', '169.254.169.254']
    const error = await failureOf(
      get(new AddressGuard({}, lookup), `http://mixed.test:${port(loopback)}/`),
    )
    expect(error).toMatchObject({ code: 'AION_EGRESS_ADDRESS_REFUSED' })
  })

  it('offers the socket every judged address, so one that does not answer is passed over', async () => {
    // Nothing listens on ::1 at that port: the connection falls over to 127.0.0.1.
    const lookup: AddressLookup = async () => ['::1', '127.0.0.1']
    const guard = new AddressGuard({}, lookup)
    expect(await get(guard, `http://dual.test:${port(loopback)}/v1/chat/completions`)).toBe(200)
  })

  it('keeps an on-premises call inside the local networks, sending nothing elsewhere', async () => {
    const guard = new AddressGuard({ localNetworks: new NetworkList(['127.0.0.1/32']) })
    const error = await failureOf(get(guard, `${second.url}/chat/completions`, 'on-premises'))
    expect(error).toMatchObject({ code: 'AION_EGRESS_NOT_LOCAL' })
    expect(second.connections()).toBe(0)
    expect(second.bytesReceived()).toBe(0)
    expect(await get(guard, `${loopback.url}/chat/completions`, 'on-premises')).toBe(200)
    // Without the placement, 127.0.0.2 is plain loopback, which the default allows.
    expect(await get(guard, `${second.url}/chat/completions`)).toBe(200)
    expect(second.connections()).toBe(1)
  })
})

describe('guardedConnector over TLS', () => {
  it('connects to the judged address but verifies the certificate for the name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aion-guard-tls-'))
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')]
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
        .concat(['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'])
        .concat(['-addext', 'subjectAltName=DNS:localhost']),
      { stdio: 'ignore' },
    )
    const ca = readFileSync(cert)
    const server = createServer({ key: readFileSync(key), cert: ca }, (_req, res) => res.end('tls'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const call = async (host: string) => {
      const agent = guardedAgent(new AddressGuard(), { connect: { ca } })
      try {
        const response = await request(`https://${host}:${port}/`, { dispatcher: agent })
        return await response.body.text()
      } finally {
        await agent.close()
      }
    }
    try {
      expect(await call('localhost')).toBe('tls')
      // The same server by its address: the certificate names localhost only.
      await expect(call('127.0.0.1')).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      })
    } finally {
      server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
