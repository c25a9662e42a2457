/**
 * One HTTP exchange with a registry: the scheme decision (HTTPS unless the
 * registry is loopback or listed insecure), authentication (see auth.ts),
 * redirects of reads (on the registry's origin; to another host only for
 * blobs, whose storage often lives elsewhere, credentials staying behind), timeouts (a registry silent for `timeoutMs` — before its headers or
 * between body chunks — fails as retryable), and the mapping of every failure
 * to a stable code: 401 AION_OCI_UNAUTHORIZED, 403 _DENIED, 404 _NOT_FOUND,
 * 429/5xx/unreachable _REGISTRY_UNAVAILABLE, stalls _REGISTRY_TIMEOUT, other
 * 4xx _REQUEST_REJECTED.
 */
import { Agent, type Dispatcher, request } from 'undici'
import { AddressGuard, guardedConnector } from '../../core/egress/index.js'
import {
  type AionError,
  EgressRedirectRefusedError,
  OciDeniedError,
  OciInsecureRefusedError,
  OciNotFoundError,
  OciRegistryTimeoutError,
  OciRegistryUnavailableError,
  OciRequestRejectedError,
  OciUnauthorizedError,
  type OciIssueFields,
} from '../../core/errors/index.js'
import { readText, RegistryAuth, repositoryScope } from './auth.js'
import type { CredentialSource } from './credentials.js'
import { isLoopbackRegistry, type OciReference } from './reference.js'

/** Options of {@link RegistryTransport}. */
export interface TransportOptions {
  readonly credentials: CredentialSource
  /** Registries (`host[:port]`) reached over plain HTTP besides loopback ones. @default [] */
  readonly insecureRegistries?: readonly string[]
  /** Longest silence of a registry, in milliseconds. @default 30000 */
  readonly timeoutMs?: number
  /** @default 'aionctl' */
  readonly userAgent?: string
  /**
   * Judges the address of every connection (registry, token service, blob
   * redirects). @default loopback allowed, private refused
   */
  readonly guard?: AddressGuard
}

/** One request to a registry. */
export interface RegistryRequest {
  readonly ref: OciReference
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** A path under the registry (`/v2/…`) or an absolute URL on it (upload locations). */
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: Uint8Array
  /** Whether the request needs push access (scope `pull,push`). */
  readonly push?: boolean
  /** What the request is about, for error messages (`manifest 1.0.0`, `blob sha256:…`). */
  readonly what: string
  /**
   * A blob request: a redirect to another host (blob storage, a CDN) is
   * followed, without credentials, where the guard allows its address; any
   * other request's redirect must stay on the registry's origin. @default false
   */
  readonly blob?: boolean
  /** Status codes returned to the caller instead of raising their error (e.g. 404 for a HEAD). */
  readonly accept?: readonly number[]
  readonly signal?: AbortSignal
}

/** A response the caller consumes (its body must be read or dumped). */
export interface RegistryResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: Dispatcher.ResponseData['body']
  /** The URL that answered (after redirects). */
  readonly url: URL
}

const ERROR_BODY_MAX_BYTES = 64 * 1024
const MAX_REDIRECTS = 5
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** The first value of a response header. */
export function header(response: RegistryResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

/** Drops a response body without reading it (and without an unhandled abort error). */
export function discard(response: RegistryResponse): void {
  response.body.on('error', () => undefined)
  response.body.destroy()
}

/** Issue fields of a request's registry and repository. */
export function issue(ref: OciReference, detail: string): OciIssueFields {
  return { registry: ref.registry, repository: ref.repository, detail }
}

/** Maps a network failure (refused, reset, stalled) to its retryable code; AionErrors pass through. */
export function networkFailure(ref: OciReference, what: string, error: unknown): AionError {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    if (TIMEOUT_CODES.has(error.code)) {
      return new OciRegistryTimeoutError(issue(ref, `${what}: no answer in time (${error.code})`), {
        cause: error,
      })
    }
    if (error.code.startsWith('AION_')) return error as AionError
  }
  const message = error instanceof Error ? error.message : String(error)
  return new OciRegistryUnavailableError(issue(ref, `${what}: ${message}`), { cause: error })
}

/** The registry's own words from an error body (`{"errors":[{code,message,detail}]}`), if any. */
function registryMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] }
    const first = json.errors?.[0]
    if (first) return `${String(first.code)}: ${String(first.message)}`
  } catch {
    // not the registry error format
  }
  return text.trim().slice(0, 200)
}

/** HTTP to registries, shared by every operation of one client. */
export class RegistryTransport {
  private readonly agent: Agent
  private readonly auth: RegistryAuth
  private readonly insecure: ReadonlySet<string>
  private readonly userAgent: string

  constructor(options: TransportOptions) {
    const timeoutMs = options.timeoutMs ?? 30_000
    this.agent = new Agent({
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      // A redirect to another host (blob storage) is followed only where the guard allows its address.
      connect: guardedConnector(options.guard ?? new AddressGuard(), {
        connect: { timeout: timeoutMs },
      }),
    })
    this.insecure = new Set((options.insecureRegistries ?? []).map((h) => h.toLowerCase()))
    this.userAgent = options.userAgent ?? 'aionctl'
    this.auth = new RegistryAuth({
      credentials: options.credentials,
      dispatcher: this.agent,
      plainHttpAllowed: (host) => this.plainHttpAllowed(host),
      userAgent: this.userAgent,
    })
  }

  /** Whether plain HTTP to `host` (`host[:port]`) is allowed. */
  plainHttpAllowed(host: string): boolean {
    return isLoopbackRegistry(host) || this.insecure.has(host.toLowerCase())
  }

  /** `http(s)://host[:port]` of the reference's registry; throws AION_OCI_INSECURE_REFUSED. */
  origin(ref: OciReference): string {
    const plain = this.plainHttpAllowed(ref.registry)
    if (ref.scheme === 'http' && !plain) {
      throw new OciInsecureRefusedError(
        issue(
          ref,
          'plain HTTP is only allowed to loopback registries and those in AION_REGISTRY_INSECURE',
        ),
      )
    }
    // Docker Hub's API lives on registry-1.docker.io; references name it docker.io.
    const host = ref.registry === 'docker.io' ? 'registry-1.docker.io' : ref.registry
    return `${ref.scheme === 'https' || !plain ? 'https' : 'http'}://${host}`
  }

  /** Sends the request (authenticating as the registry asks); throws the mapped error of a failure. */
  async send(req: RegistryRequest): Promise<RegistryResponse> {
    const target = {
      registry: req.ref.registry,
      repository: req.ref.repository,
      scope: repositoryScope(req.ref.repository, req.push ?? false),
    }
    let authorization = await this.auth.authorization(target)
    let response = await this.follow(req, authorization)
    if (response.status === 401) {
      const challenge = header(response, 'www-authenticate')
      await response.body.dump()
      authorization = await this.auth.respond(target, challenge)
      response = await this.follow(req, authorization)
      if (response.status === 401) {
        const text = await readText(response, ERROR_BODY_MAX_BYTES)
        throw new OciUnauthorizedError(
          issue(
            req.ref,
            `${req.what}: the registry refused the credentials (${registryMessage(text)})`,
          ),
        )
      }
    }
    if (
      (response.status >= 200 && response.status < 300) ||
      req.accept?.includes(response.status)
    ) {
      return response
    }
    throw await this.failure(req, response)
  }

  /** One exchange, following redirects of reads; credentials only go to the registry's own origin. */
  private async follow(req: RegistryRequest, authorization: string | undefined) {
    // As URLs write it (`127.1` is `127.0.0.1`), so the origin checks below compare like with like.
    const origin = new URL(this.origin(req.ref)).origin
    let url = new URL(req.path, origin)
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.userAgent, ...req.headers }
      if (authorization !== undefined && url.origin === origin)
        headers.authorization = authorization
      let response: Dispatcher.ResponseData
      try {
        response = await request(url, {
          method: req.method,
          headers,
          ...(req.body === undefined ? {} : { body: req.body }),
          dispatcher: this.agent,
          ...(req.signal === undefined ? {} : { signal: req.signal }),
        })
      } catch (error) {
        throw networkFailure(req.ref, req.what, error)
      }
      const location = response.headers.location
      const redirect = [301, 302, 303, 307, 308].includes(response.statusCode)
      if (!redirect || typeof location !== 'string' || !['GET', 'HEAD'].includes(req.method)) {
        return { status: response.statusCode, headers: response.headers, body: response.body, url }
      }
      await response.body.dump()
      if (hop >= MAX_REDIRECTS) {
        throw new OciRequestRejectedError(issue(req.ref, `${req.what}: too many redirects`))
      }
      url = new URL(location, url)
      if (url.origin !== origin && req.blob !== true) {
        throw new EgressRedirectRefusedError({ from: origin, to: url.origin })
      }
      if (url.protocol === 'http:' && !this.plainHttpAllowed(url.host)) {
        throw new OciInsecureRefusedError(
          issue(req.ref, `${req.what}: redirected to plain HTTP at ${url.host}`),
        )
      }
    }
  }

  private async failure(req: RegistryRequest, response: RegistryResponse): Promise<AionError> {
    const text = req.method === 'HEAD' ? '' : await readText(response, ERROR_BODY_MAX_BYTES)
    if (req.method === 'HEAD') await response.body.dump()
    const said = text ? `: ${registryMessage(text)}` : ''
    const fields = {
      ...issue(req.ref, `${req.what}: ${req.method} answered ${response.status}${said}`),
      status: response.status,
    }
    const { status } = response
    if (status === 403) return new OciDeniedError(fields)
    if (status === 404) return new OciNotFoundError(fields)
    if (status === 429 || status >= 500) return new OciRegistryUnavailableError(fields)
    return new OciRequestRejectedError(fields)
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.agent.close()
  }
}
