/**
 * The one way out of a subprocess module's network namespace: an HTTP proxy of
 * the platform on a unix socket that is bound into the sandbox (an in-sandbox
 * bridge, egress-bridge.js, exposes it as `HTTP(S)_PROXY` on the sandbox's own
 * loopback). It serves `CONNECT host:port` (HTTPS, end to end encrypted) and
 * absolute-form plain-HTTP requests, each only where the manifest's
 * `permissions.network` (and the platform's egress policy) allows that origin, and
 * only to an address the resolver accepts. The host is resolved once and the
 * connection made to that address, so a second DNS answer cannot slip in. A
 * refusal answers 403 with a problem body naming the code; nothing is sent on.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'
import { AddressGuard } from '../../core/egress/index.js'
import type { ModuleEgress } from '../wasm/wasm-egress.js'

/**
 * Turns a host into the address to connect to, or throws when it may not be
 * reached (the platform's address guard fits: `AddressGuard.resolve`).
 */
export interface EgressResolver {
  resolve(host: string): Promise<string>
}

/**
 * The resolver used when the platform gives none: the platform's address guard
 * with loopback and private ranges open, so only what is refused whatever the
 * settings (unspecified, link-local, cloud metadata, multicast and reserved) is.
 */
export const defaultEgressResolver: EgressResolver = new AddressGuard({
  allowLoopback: true,
  allowPrivate: true,
})

/** One call's proxy; `close` stops it and every connection it carries. */
export interface EgressProxy {
  /** Origins refused so far (for logs and tests). */
  readonly refused: readonly string[]
  close(): Promise<void>
}

function problem(code: string, detail: string): string {
  return JSON.stringify({ type: 'about:blank', title: 'egress refused', status: 403, code, detail })
}

/** A refusal as raw HTTP, for a CONNECT client. */
function refusal(code: string, detail: string): string {
  const body = problem(code, detail)
  return [
    'HTTP/1.1 403 Forbidden',
    'content-type: application/problem+json',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    '',
    body,
  ].join('\r\n')
}

/** Starts a proxy for one call on `socketPath`. */
export async function startEgressProxy(options: {
  readonly socketPath: string
  readonly egress: ModuleEgress
  readonly resolver?: EgressResolver
}): Promise<EgressProxy> {
  const resolver = options.resolver ?? defaultEgressResolver
  const refused: string[] = []
  const sockets = new Set<Duplex>()
  const track = (socket: Duplex) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  }

  /** The address to connect to for `url`, or undefined after `refuse` was called. */
  async function admit(
    url: URL,
    refuse: (code: string, detail: string) => void,
  ): Promise<string | undefined> {
    if (!options.egress.allows(url)) {
      refused.push(url.origin)
      refuse('AION_EGRESS_DENIED', `${url.origin} is not in the module's allow-list`)
      return undefined
    }
    try {
      return await resolver.resolve(url.hostname)
    } catch (error) {
      refused.push(url.origin)
      const code = (error as { code?: unknown }).code
      const detail = error instanceof Error ? error.message : String(error)
      refuse(
        typeof code === 'string' && code.startsWith('AION_') ? code : 'AION_EGRESS_DENIED',
        detail,
      )
      return undefined
    }
  }

  const server: Server = createServer((req, res) => {
    const refuse = (code: string, detail: string) => {
      const body = problem(code, detail)
      res.writeHead(403, { 'content-type': 'application/problem+json', connection: 'close' })
      res.end(body)
    }
    let url: URL
    try {
      url = new URL(req.url ?? '')
      if (url.protocol !== 'http:') throw new Error('not http')
    } catch {
      refuse('AION_EGRESS_DENIED', 'only absolute http:// URLs and CONNECT are proxied')
      return
    }
    void admit(url, refuse).then((address) => {
      if (address === undefined) return
      const upstream = httpRequest({
        host: address,
        port: url.port === '' ? 80 : Number(url.port),
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: { ...req.headers, host: url.host },
        setHost: false,
      })
      upstream.on('response', (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers)
        response.pipe(res)
      })
      upstream.on('error', () => res.destroy())
      req.pipe(upstream)
    })
  })
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client)
    void (async () => {
      const target = req.url ?? ''
      let url: URL
      try {
        url = new URL(`https://${target}/`)
        if (url.port === '' && !target.endsWith(':443')) throw new Error('no port')
      } catch {
        client.end(refusal('AION_EGRESS_DENIED', `CONNECT needs host:port, got ${target}`))
        return
      }
      const address = await admit(url, (code, detail) => client.end(refusal(code, detail)))
      if (address === undefined) return
      const upstream = connect({ host: address, port: url.port === '' ? 443 : Number(url.port) })
      track(upstream)
      upstream.on('connect', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        if (head.length > 0) upstream.write(head)
        upstream.pipe(client)
        client.pipe(upstream)
      })
      upstream.on('error', () => client.destroy())
      client.on('error', () => upstream.destroy())
    })()
  })
  server.on('connection', track)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.socketPath, () => resolve())
  })
  return {
    refused,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
