/**
 * Registry authentication: the `WWW-Authenticate` challenge flow of the Docker
 * token protocol (as distribution, Harbor, GHCR, Docker Hub and zot speak it).
 * A registry's first 401 names its scheme; `Basic` gets the configured
 * credentials, `Bearer` sends them (or nothing, for anonymous access) to the
 * challenge's realm with `service` and `scope` and uses the token it answers.
 * Tokens are cached per registry and scope until shortly before they expire.
 * Credentials never travel over plain HTTP except to a registry that may be
 * reached that way (loopback or AION_REGISTRY_INSECURE).
 */
import type { Dispatcher } from 'undici'
import { request } from 'undici'
import {
  OciInsecureRefusedError,
  OciRegistryUnavailableError,
  OciRequestRejectedError,
  OciUnauthorizedError,
} from '../../core/errors/index.js'
import type { CredentialSource, RegistryCredentials } from './credentials.js'

/** A parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  /** Lower-cased: `basic` or `bearer` (others are refused). */
  readonly scheme: string
  readonly params: Readonly<Record<string, string>>
}

/** Parses the first challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1). */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s*/.exec(header)
  if (!match) return undefined
  const params: Record<string, string> = {}
  const param = /([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/y
  param.lastIndex = match[0].length
  let found: RegExpExecArray | null
  while ((found = param.exec(header)) !== null) {
    const name = (found[1] as string).toLowerCase()
    params[name] = found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : (found[3] ?? '')
  }
  return { scheme: (match[1] as string).toLowerCase(), params }
}

/** `repository:<name>:pull` or `…:pull,push`. */
export function repositoryScope(repository: string, push: boolean): string {
  return `repository:${repository}:${push ? 'pull,push' : 'pull'}`
}

function basic(credentials: RegistryCredentials): string {
  const pair = `${credentials.username}:${credentials.password.reveal()}`
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`
}

/** Where a request goes, for error messages and the credentials lookup. */
export interface AuthTarget {
  readonly registry: string
  readonly repository: string
  readonly scope: string
}

/** What {@link RegistryAuth} needs from the transport. */
export interface RegistryAuthOptions {
  readonly credentials: CredentialSource
  readonly dispatcher: Dispatcher
  /** Whether plain HTTP to this host (`host[:port]`) is allowed. */
  readonly plainHttpAllowed: (host: string) => boolean
  readonly userAgent: string
}

interface CachedToken {
  readonly value: string
  readonly expiresAtMs: number
}

const TOKEN_RESPONSE_MAX_BYTES = 1024 * 1024

/** Per-client authentication state: each registry's scheme and the cached tokens. */
export class RegistryAuth {
  private readonly challenges = new Map<string, Challenge>()
  private readonly tokens = new Map<string, CachedToken>()

  constructor(private readonly options: RegistryAuthOptions) {}

  /** The `Authorization` header to send before any challenge, when the scheme is known. */
  async authorization(target: AuthTarget): Promise<string | undefined> {
    const challenge = this.challenges.get(target.registry)
    if (challenge === undefined) return undefined
    if (challenge.scheme === 'basic') {
      const credentials = await this.options.credentials.credentialsFor(target.registry)
      return credentials && basic(credentials)
    }
    const cached = this.tokens.get(`${target.registry} ${target.scope}`)
    if (cached && cached.expiresAtMs > Date.now()) return `Bearer ${cached.value}`
    return this.bearer(target, challenge)
  }

  /**
   * Answers a 401's challenge: the header to retry with. Throws
   * AION_OCI_UNAUTHORIZED where no credentials can satisfy it.
   */
  async respond(target: AuthTarget, header: string | undefined): Promise<string> {
    const challenge = header === undefined ? undefined : parseChallenge(header)
    const unauthorized = (detail: string) => new OciUnauthorizedError({ ...target, detail })
    if (challenge === undefined) throw unauthorized('answered 401 without a usable challenge')
    this.challenges.set(target.registry, challenge)
    if (challenge.scheme === 'basic') {
      const credentials = await this.options.credentials.credentialsFor(target.registry)
      if (!credentials) {
        throw unauthorized(
          'requires a login; no credentials are configured for it (AION_REGISTRY_<ID>_* or the auth file)',
        )
      }
      return basic(credentials)
    }
    if (challenge.scheme === 'bearer') return this.bearer(target, challenge)
    throw unauthorized(`asks for unsupported authentication scheme ${challenge.scheme}`)
  }

  /** Fetches a token for the target's scope from the challenge's realm, and caches it. */
  private async bearer(target: AuthTarget, challenge: Challenge): Promise<string> {
    const { realm, service } = challenge.params
    const fail = (detail: string) => new OciUnauthorizedError({ ...target, detail })
    if (realm === undefined || !URL.canParse(realm))
      throw fail('gave a Bearer challenge without a realm URL')
    const url = new URL(realm)
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw fail(`token realm ${realm} is not HTTP`)
    if (url.protocol === 'http:' && !this.options.plainHttpAllowed(url.host)) {
      throw new OciInsecureRefusedError({
        ...target,
        detail: `token realm ${realm} is plain HTTP to a host not allowed it (AION_REGISTRY_INSECURE)`,
      })
    }
    if (service !== undefined) url.searchParams.set('service', service)
    url.searchParams.set('scope', target.scope)
    const credentials = await this.options.credentials.credentialsFor(target.registry)
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent }
    if (credentials) headers.authorization = basic(credentials)
    let response: Dispatcher.ResponseData
    try {
      response = await request(url, { method: 'GET', headers, dispatcher: this.options.dispatcher })
    } catch (error) {
      throw new OciRegistryUnavailableError(
        {
          ...target,
          detail: `token service ${url.origin} unreachable: ${(error as Error).message}`,
        },
        { cause: error },
      )
    }
    const text = await readText(response, TOKEN_RESPONSE_MAX_BYTES)
    const who = credentials ? `the credentials of ${credentials.username}` : 'anonymous access'
    if (response.statusCode === 401 || response.statusCode === 403) {
      throw fail(`token service ${url.origin} refused ${who} (${response.statusCode})`)
    }
    if (response.statusCode >= 500 || response.statusCode === 429) {
      throw new OciRegistryUnavailableError({
        ...target,
        status: response.statusCode,
        detail: `token service ${url.origin} answered ${response.statusCode}`,
      })
    }
    const token = tokenOf(text)
    if (response.statusCode !== 200 || token === undefined) {
      throw new OciRequestRejectedError({
        ...target,
        status: response.statusCode,
        detail: `token service ${url.origin} answered ${response.statusCode} without a token`,
      })
    }
    // Refresh a little early; the spec's default lifetime is 60 s.
    const lifetimeS = token.expiresInS > 0 ? token.expiresInS : 60
    this.tokens.set(`${target.registry} ${target.scope}`, {
      value: token.value,
      expiresAtMs: Date.now() + lifetimeS * 900,
    })
    return `Bearer ${token.value}`
  }
}

function tokenOf(text: string): { value: string; expiresInS: number } | undefined {
  try {
    const json = JSON.parse(text) as {
      token?: unknown
      access_token?: unknown
      expires_in?: unknown
    }
    const value = typeof json.token === 'string' && json.token ? json.token : json.access_token
    if (typeof value !== 'string' || value === '') return undefined
    return { value, expiresInS: typeof json.expires_in === 'number' ? json.expires_in : 0 }
  } catch {
    return undefined
  }
}

/** The body as text, at most `maxBytes` (the rest is discarded). */
export async function readText(
  response: { readonly body: Dispatcher.ResponseData['body'] },
  maxBytes: number,
): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      if (size < maxBytes) chunks.push(chunk.subarray(0, maxBytes - size))
      size += chunk.length
    }
  } catch {
    // A body cut short still says what it said.
  }
  return Buffer.concat(chunks).toString('utf8')
}
