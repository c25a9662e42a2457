/**
 * A real HTTP proxy in front of a test registry that misbehaves on demand:
 * requests pass through unchanged until a rule matches, which answers a
 * status of its own (500s, 429), stalls (headers never come, or the body stops
 * half-way), or serves a body of its own (a malformed manifest). The registry
 * sees the proxy's Host, so the upload URLs it hands out lead back through it.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'

/** What a rule does to a matching request. */
export type Fault =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'stall-headers' }
  | { readonly kind: 'stall-body'; readonly headers: Record<string, string>; readonly sent: Buffer }
  | {
      readonly kind: 'body'
      readonly status: number
      readonly headers: Record<string, string>
      readonly body: Buffer
    }

/** A rule: requests matching `method` and `path` get `fault` (`times` times, default always). */
export interface FaultRule {
  readonly method?: string
  readonly path: RegExp
  readonly fault: Fault
  times?: number
}

/** A running proxy. */
export interface FaultProxy {
  /** `127.0.0.1:<port>`. */
  readonly host: string
  readonly rules: FaultRule[]
  /** Requests that reached the proxy, as `METHOD path`. */
  readonly seen: string[]
  stop(): Promise<void>
}

function forward(target: string, req: IncomingMessage, res: ServerResponse): void {
  const upstream = request(
    `http://${target}${req.url ?? '/'}`,
    { method: req.method, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    },
  )
  upstream.on('error', () => res.destroy())
  req.pipe(upstream)
}

/** Starts a proxy to `target` (`host:port`). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: FaultRule[] = []
  const seen: string[] = []
  const server = createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`)
    const rule = rules.find(
      (r) =>
        (r.method === undefined || r.method === req.method) &&
        r.path.test(req.url ?? '') &&
        (r.times === undefined || r.times > 0),
    )
    if (rule === undefined) return forward(target, req, res)
    if (rule.times !== undefined) rule.times -= 1
    req.resume()
    const fault = rule.fault
    if (fault.kind === 'status') res.writeHead(fault.status, { 'content-length': '0' }).end()
    else if (fault.kind === 'body') res.writeHead(fault.status, fault.headers).end(fault.body)
    else if (fault.kind === 'stall-body') {
      res.writeHead(200, fault.headers)
      res.write(fault.sent)
    }
    // stall-headers: say nothing until the client gives up.
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    host: `127.0.0.1:${port}`,
    rules,
    seen,
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
