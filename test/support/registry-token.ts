/**
 * A Docker token service for the Bearer tests: a real HTTP server speaking
 * the distribution token protocol (`GET /token?service=…&scope=…`, Basic
 * credentials or none) that answers ES256 JWTs with an `x5c` certificate
 * chain, which a `docker-registry` configured with `auth: token:` (this
 * service as realm, its certificate as rootcertbundle) verifies. Valid users
 * get the actions they ask for; anonymous callers get `pull` on the
 * repositories listed as public; a wrong password gets 401.
 */
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importPKCS8, SignJWT } from 'jose'

/** A running token service. */
export interface TokenService {
  readonly realm: string
  readonly service: string
  readonly issuer: string
  readonly rootCertFile: string
  /** Every request: who asked (`''` anonymous) and for which scope. */
  readonly requests: { readonly user: string; readonly scope: string }[]
  stop(): Promise<void>
}

/** Options of {@link startTokenService}. */
export interface TokenServiceOptions {
  readonly users: Readonly<Record<string, string>>
  /** Repositories anonymous callers may pull. @default [] */
  readonly publicRepositories?: readonly string[]
}

function grant(scope: string, user: string, publicRepos: readonly string[]) {
  const [type, name, actions] = scope.split(':')
  if (type !== 'repository' || name === undefined || actions === undefined) return []
  const wanted = actions.split(',')
  const allowed = user !== '' ? wanted : publicRepos.includes(name) ? ['pull'] : []
  return [{ type, name, actions: wanted.filter((a) => allowed.includes(a)) }]
}

/** Starts the service and makes its signing key and certificate (openssl). */
export async function startTokenService(options: TokenServiceOptions): Promise<TokenService> {
  const dir = await mkdtemp(join(tmpdir(), 'aion-token-'))
  const keyFile = join(dir, 'key.pem')
  const rootCertFile = join(dir, 'cert.pem')
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      rootCertFile,
      '-days',
      '2',
      '-subj',
      '/CN=aion-test-token-service',
    ],
    { encoding: 'utf8' },
  )
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`)
  const key = await importPKCS8(await readFile(keyFile, 'utf8'), 'ES256')
  const certPem = await readFile(rootCertFile, 'utf8')
  const x5c = certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '')
  const service = 'aion-test-registry'
  const issuer = 'aion-test-token-service'
  const requests: { user: string; scope: string }[] = []
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://token')
    let user = ''
    const authorization = req.headers.authorization ?? ''
    if (authorization.startsWith('Basic ')) {
      const [name = '', password] = Buffer.from(authorization.slice(6), 'base64')
        .toString()
        .split(/:(.*)/s)
      if (options.users[name] === undefined || options.users[name] !== password) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"details":"bad credentials"}')
        return
      }
      user = name
    }
    const scope = url.searchParams.get('scope') ?? ''
    requests.push({ user, scope })
    if (url.pathname !== '/token' || url.searchParams.get('service') !== service) {
      res.writeHead(400).end()
      return
    }
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({
      access: grant(scope, user, options.publicRepositories ?? []),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c: [x5c] })
      .setIssuer(issuer)
      .setSubject(user)
      .setAudience(service)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 300)
      .setJti(randomUUID())
      .sign(key)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }))
  }
  const server = createServer((req, res) => {
    answer(req, res).catch(() => res.writeHead(500).end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertFile,
    requests,
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(dir, { recursive: true, force: true })
    },
  }
}
