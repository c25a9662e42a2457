/**
 * The subprocess egress proxy on its unix socket, spoken to as a module's HTTP
 * client would through the in-sandbox bridge: allowed origins pass (plain HTTP
 * and CONNECT), anything else is answered 403 with its code and never reaches
 * the upstream, and the resolver's verdict on the address is final.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModuleEgress } from '../wasm/wasm-egress.js'
import { defaultEgressResolver, startEgressProxy, type EgressProxy } from './egress-proxy.js'

let dir: string
let upstream: Server
let port: number
const hits: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aion-egress-proxy-test-'))
  upstream = createServer((req, res) => {
    hits.push(`${req.method} ${req.headers.host} ${req.url}`)
    res.setHeader('x-upstream', 'yes')
    req.resume()
    req.on('end', () => res.end(`hello ${req.url}`))
  })
  await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done))
  port = (upstream.address() as AddressInfo).port
})

afterAll(async () => {
  if (upstream) await new Promise((done) => upstream.close(done))
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function withProxy(
  allow: string[],
  body: (socketPath: string, proxy: EgressProxy) => Promise<void>,
  resolver = defaultEgressResolver,
): Promise<void> {
  const socketPath = join(dir, `p${Math.random().toString(36).slice(2)}.sock`)
  const proxy = await startEgressProxy({
    socketPath,
    egress: new ModuleEgress({ allow }),
    resolver,
  })
  try {
    await body(socketPath, proxy)
  } finally {
    await proxy.close()
  }
}

/** An absolute-form request through the proxy: status, a header and the body. */
function forward(socketPath: string, url: string, method = 'GET') {
  return new Promise<{ status: number; upstream: string | undefined; body: string }>(
    (resolve, reject) => {
      const req = request({ socketPath, path: url, method })
      req.on('response', (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            upstream: res.headers['x-upstream'] as string | undefined,
            body,
          }),
        )
      })
      req.on('error', reject)
      req.end(method === 'POST' ? 'payload' : undefined)
    },
  )
}

/** A CONNECT through the proxy, then one request in the tunnel: the proxy's status and the tunnel's first line. */
function tunnel(socketPath: string, target: string) {
  return new Promise<{ status: number; firstLine?: string; body?: string }>((resolve, reject) => {
    const req = request({ socketPath, method: 'CONNECT', path: target })
    req.on('connect', (res, socket) => {
      let reply = ''
      socket.on('data', (c: Buffer) => (reply += c.toString('utf8')))
      socket.on('end', () =>
        resolve({ status: res.statusCode ?? 0, firstLine: reply.split('\r\n')[0] }),
      )
      socket.write(`GET /tunnelled HTTP/1.1\r\nhost: ${target}\r\nconnection: close\r\n\r\n`)
    })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString('utf8')))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('allowed origins', () => {
  it('forwards a plain-HTTP request and its body, and answers with the upstream response', async () => {
    await withProxy(['127.0.0.1'], async (socketPath) => {
      const got = await forward(socketPath, `http://127.0.0.1:${port}/a?b=1`, 'POST')
      expect(got).toEqual({ status: 200, upstream: 'yes', body: 'hello /a?b=1' })
      expect(hits.at(-1)).toBe(`POST 127.0.0.1:${port} /a?b=1`)
    })
  })

  it('opens a CONNECT tunnel to an allowed host:port', async () => {
    await withProxy([`127.0.0.1:${port}`], async (socketPath) => {
      const got = await tunnel(socketPath, `127.0.0.1:${port}`)
      expect(got).toEqual({ status: 200, firstLine: 'HTTP/1.1 200 OK' })
      expect(hits.at(-1)).toBe(`GET 127.0.0.1:${port} /tunnelled`)
    })
  })
})

describe('refusals', () => {
  it('refuses an origin off the allow-list, by name or by port, with nothing sent', async () => {
    await withProxy([`127.0.0.1:${port + 1}`], async (socketPath, proxy) => {
      const before = hits.length
      const other = await forward(socketPath, `http://localhost:${port}/`)
      expect(other.status).toBe(403)
      expect(JSON.parse(other.body)).toMatchObject({ code: 'AION_EGRESS_DENIED', status: 403 })
      expect((await forward(socketPath, `http://127.0.0.1:${port}/`)).status).toBe(403)
      expect((await tunnel(socketPath, `127.0.0.1:${port}`)).status).toBe(403)
      expect(hits.length).toBe(before)
      expect(proxy.refused).toEqual([
        `http://localhost:${port}`,
        `http://127.0.0.1:${port}`,
        `https://127.0.0.1:${port}`,
      ])
    })
  })

  it('refuses link-local and unspecified addresses even when the manifest names them', async () => {
    await withProxy(['169.254.169.254', '0.0.0.0'], async (socketPath) => {
      const metadata = await forward(socketPath, 'http://169.254.169.254/latest/meta-data/')
      expect(metadata.status).toBe(403)
      expect(JSON.parse(metadata.body)).toMatchObject({ code: 'AION_EGRESS_ADDRESS_REFUSED' })
      expect(JSON.parse(metadata.body).detail).toMatch(
        /resolves to 169\.254\.169\.254, a metadata address/,
      )
      expect((await tunnel(socketPath, '0.0.0.0:443')).status).toBe(403)
    })
  })

  it("passes the resolver's own AION code on, and connects to the address it chose", async () => {
    const guard = {
      async resolve(host: string) {
        if (host === 'refused.test') {
          throw Object.assign(new Error('address refused'), { code: 'AION_EGRESS_ADDRESS_REFUSED' })
        }
        return '127.0.0.1'
      },
    }
    await withProxy(
      ['refused.test', 'pinned.test'],
      async (socketPath) => {
        const refused = await forward(socketPath, `http://refused.test:${port}/`)
        expect(JSON.parse(refused.body)).toMatchObject({ code: 'AION_EGRESS_ADDRESS_REFUSED' })
        const pinned = await forward(socketPath, `http://pinned.test:${port}/pinned`)
        expect(pinned).toMatchObject({ status: 200, body: 'hello /pinned' })
        expect(hits.at(-1)).toBe(`GET pinned.test:${port} /pinned`)
      },
      guard,
    )
  })

  it('refuses anything but absolute http:// requests and CONNECT', async () => {
    await withProxy(['127.0.0.1'], async (socketPath) => {
      expect((await forward(socketPath, '/relative')).status).toBe(403)
      expect((await forward(socketPath, `https://127.0.0.1:${port}/`)).status).toBe(403)
    })
  })
})
