/**
 * The egress matrix: every kind of outbound connection the platform makes —
 * model providers, OCI registry pulls, the JWKS fetch, a WASM module's
 * `aion_http.fetch` — against real HTTP servers, through the one address
 * guard. For each: a metadata address is refused before any connection,
 * whatever else is allowed; every numeric spelling of loopback is judged as
 * loopback (refused when loopback is not allowed, the server counting no
 * connection; reached in the development default); a redirect to another
 * host is not followed (the other host counts no connection).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadPackages } from '../src/distribution/aip/index.js'
import { AddressGuard, NetworkList } from '../src/core/egress/index.js'
import { isAionError } from '../src/core/errors/index.js'
import { createJwtVerifier } from '../src/gateway/auth/index.js'
import { closeProviders, createProviders } from '../src/providers/index.js'
import { anonymous, OciClient, parseReference } from '../src/distribution/oci/index.js'
import { writeHostileWasmPackages } from '../src/runtime/test-packages.fixture.js'
import {
  createModuleExecutor,
  type ClosableModuleExecutor,
} from '../src/runtime/wasm/wasm-module-executor.js'

/** Loopback as people write it to slip past a check on the text. */
const spellings = ['127.1', '2130706433', '0x7f000001', '0177.0.0.1', '[::ffff:127.0.0.1]']
const METADATA = '169.254.169.254'

/** A real HTTP server that counts the connections it accepts, at the socket. */
interface CountingServer {
  readonly port: number
  connections(): number
  /** Requests served (a kept-alive connection serves several). */
  requests(): number
  close(): Promise<void>
}

async function countingServer(
  host: string,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<CountingServer> {
  let accepted = 0
  let served = 0
  const server = createServer((req, res) => {
    served++
    handle(req, res)
  })
  server.on('connection', (_socket: Socket) => void accepted++)
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => accepted,
    requests: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: {
    mediaType: 'application/vnd.oci.empty.v1+json',
    digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    size: 2,
  },
  layers: [],
})
const completion = JSON.stringify({
  id: 'c1',
  object: 'chat.completion',
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
})

let target: CountingServer
let other: CountingServer
let jwks = ''
let token = ''
let wasmRoot: string
const executors = new Map<string, ClosableModuleExecutor>()

/** The answers of the target server; `/redirect/...` sends the request on to the other host. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/'
  if (url.startsWith('/redirect/') || url.startsWith('/v2/redirect/')) {
    const rest = url.replace('/redirect/', '/')
    res.writeHead(307, { location: `http://127.0.0.2:${other.port}${rest}` }).end()
    return
  }
  req.resume()
  req.on('end', () => {
    if (url === '/v1/chat/completions') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(completion)
    } else if (url === '/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks)
    } else if (url.startsWith('/v2/team/x/manifests/')) {
      res
        .writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })
        .end(manifest)
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    }
  })
}

/** One kind of outbound connection, made to `host` (as a URL writes it) through `guard`. */
interface Surface {
  readonly name: string
  /** Makes the call; resolves with what proves it was served. */
  call(host: string, port: number, guard: AddressGuard, redirect: boolean): Promise<unknown>
  /** What a served call resolves with. */
  readonly served: unknown
  /** The code a refused call fails with, when not the guard's own (the module allow-list names hosts only). */
  refusedCode?(host: string): string | undefined
}

const providers: Surface = {
  name: 'providers',
  served: 'ok',
  async call(host, port, guard, redirect) {
    const baseUrl = `http://${host}:${port}${redirect ? '/redirect' : ''}/v1`
    const set = createProviders(
      {
        timeoutMs: 5000,
        openai: undefined,
        azure: undefined,
        vllm: { baseUrl, apiKey: undefined },
        ollama: undefined,
        hf: undefined,
      },
      { guard },
    )
    try {
      const messages = [{ role: 'user' as const, content: 'Hi.' }]
      const result = await set
        .get('vllm')!
        .complete({ model: 'm', messages, signal: new AbortController().signal })
      return result.text
    } finally {
      await closeProviders(set)
    }
  },
}

const registry: Surface = {
  name: 'OCI registry pull',
  served: 'application/vnd.oci.image.manifest.v1+json',
  async call(host, port, guard, redirect) {
    const client = new OciClient({
      credentials: anonymous,
      insecureRegistries: [`${host}:${port}`],
      timeoutMs: 5000,
      guard,
    })
    try {
      const ref = parseReference(`${host}:${port}/${redirect ? 'redirect' : 'team'}/x:1`)
      return (await client.fetchManifest(ref)).descriptor.mediaType
    } finally {
      await client.close()
    }
  },
}

const jwksFetch: Surface = {
  name: 'JWKS fetch',
  served: 'user-1',
  async call(host, port, guard, redirect) {
    const verifier = await createJwtVerifier(
      {
        jwks: `http://${host}:${port}/${redirect ? 'redirect/' : ''}jwks.json`,
        issuer: undefined,
        audience: 'omertaos',
        algorithms: ['ES256'],
        clockToleranceSeconds: 5,
      },
      { guard },
    )
    return (await verifier.verify(token)).id
  },
}

const moduleFetch: Surface = {
  name: 'WASM aion_http',
  served: 200,
  async call(host, port, guard, redirect) {
    const executor = executors.get(
      guard === devGuard ? 'dev' : guard === strictGuard ? 'strict' : 'open',
    )!
    const url = `http://${host}:${port}/${redirect ? 'redirect/' : ''}probe`
    const { output } = await executor.run({
      module: 'net_matrix',
      input: { url },
      signal: new AbortController().signal,
      timeoutMs: 5000,
    })
    return (output as { response?: { status: number } }).response?.status
  },
  // The manifest schema lists host names and IPv4 addresses: an IPv6 literal is on no allow-list.
  refusedCode: (host) => (host.startsWith('[') ? 'AION_EGRESS_DENIED' : undefined),
}

const devGuard = new AddressGuard()
const strictGuard = new AddressGuard({ allowLoopback: false })
const openGuard = new AddressGuard({ allowLoopback: true, allowPrivate: true })
const premisesGuard = new AddressGuard({ localNetworks: new NetworkList(['127.0.0.1/32']) })

/** The egress code a failed call carries (itself, or as the cause of an auth failure). */
async function egressCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    (value: unknown) => new Error(`expected a refusal, got ${JSON.stringify(value)}`),
    (e: unknown) => e,
  )
  if (!isAionError(error)) throw error
  if (error.code.startsWith('AION_EGRESS_')) return error.code
  const cause = (error as { cause?: unknown }).cause
  if (isAionError(cause)) return `${error.code} <- ${cause.code}`
  return error.code
}

beforeAll(async () => {
  target = await countingServer('127.0.0.1', answer)
  other = await countingServer('127.0.0.2', (req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"other":true}')
  })
  const { publicKey, privateKey } = await generateKeyPair('ES256')
  jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] })
  token = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'JWT' })
    .setSubject('user-1')
    .setAudience('omertaos')
    .setExpirationTime('10m')
    .sign(privateKey)
  wasmRoot = await mkdtemp(join(tmpdir(), 'aion-egress-matrix-'))
  await writeHostileWasmPackages(wasmRoot)
  const probe = join(wasmRoot, 'net_probe', 'aip.yaml')
  const manifestText = (await readFile(probe, 'utf8'))
    .replace('name: net_probe,', 'name: net_matrix,')
    .replace('{ allow: [127.0.0.1] }', `{ allow: [127.0.0.1, 127.0.0.2, '${METADATA}'] }`)
  await writeFile(probe, manifestText)
  for (const [name, guard] of [
    ['dev', devGuard],
    ['strict', strictGuard],
    ['open', openGuard],
    ['premises', premisesGuard],
  ] as const) {
    executors.set(
      name,
      await createModuleExecutor({
        packages: await loadPackages(wasmRoot),
        workers: 1,
        guard,
      }),
    )
  }
}, 120_000)

afterAll(async () => {
  for (const executor of executors.values()) await executor.close()
  await Promise.all([target?.close(), other?.close()])
  if (wasmRoot) await rm(wasmRoot, { recursive: true, force: true })
})

describe.each([providers, registry, jwksFetch, moduleFetch])('egress of $name', (surface) => {
  const refusal = (host: string, code = 'AION_EGRESS_ADDRESS_REFUSED') => {
    const own = surface.refusedCode?.(host)
    if (own !== undefined) return own
    return surface === jwksFetch ? `AION_AUTH_INVALID <- ${code}` : code
  }

  it(`refuses ${METADATA} before connecting, even with loopback and private allowed`, async () => {
    expect(await egressCode(surface.call(METADATA, 80, openGuard, false))).toBe(refusal(METADATA))
  })

  it.each(spellings)(
    'judges %s as loopback: refused when loopback is not allowed',
    async (host) => {
      const before = target.connections()
      expect(await egressCode(surface.call(host, target.port, strictGuard, false))).toBe(
        refusal(host),
      )
      expect(target.connections()).toBe(before)
    },
  )

  it.each(spellings)('judges %s as loopback: reached in the development default', async (host) => {
    if (surface.refusedCode?.(host) !== undefined) {
      // Denied by the module's allow-list before any address is judged (see refusedCode).
      expect(await egressCode(surface.call(host, target.port, devGuard, false))).toBe(refusal(host))
      return
    }
    const before = target.requests()
    expect(await surface.call(host, target.port, devGuard, false)).toBe(surface.served)
    expect(target.requests()).toBeGreaterThan(before)
  })

  it('does not follow a redirect to another host', async () => {
    const before = target.requests()
    const otherBefore = other.connections()
    const outcome = await surface.call('127.0.0.1', target.port, devGuard, true).then(
      (value: unknown) => ({ value }),
      (error: unknown) => ({ error }),
    )
    expect(target.requests()).toBeGreaterThan(before)
    expect(other.connections()).toBe(otherBefore)
    // A module sees the 3xx itself; the platform's own clients fail on it.
    if (surface === moduleFetch) expect(outcome).toEqual({ value: 307 })
    else expect(outcome).toHaveProperty('error')
  })
})

describe('a module call whose data must stay on the premises', () => {
  const probe = (placement: 'on-premises' | undefined) =>
    executors.get('premises')!.run({
      module: 'net_matrix',
      input: { url: `http://127.0.0.2:${other.port}/probe` },
      signal: new AbortController().signal,
      timeoutMs: 5000,
      ...(placement === undefined ? {} : { placement }),
    })

  it('fetches only inside the local networks, sending nothing elsewhere', async () => {
    const before = other.connections()
    expect(await egressCode(probe('on-premises'))).toBe('AION_EGRESS_NOT_LOCAL')
    expect(other.connections()).toBe(before)
    const { output } = await probe(undefined)
    expect((output as { response: { status: number } }).response.status).toBe(200)
    expect(other.connections()).toBe(before + 1)
  })
})
