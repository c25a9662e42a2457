/**
 * The TypeScript client of the public OMERTAOS API. It depends on the
 * contracts only, so applications can use it without the platform.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import type {
  KeyCreateRequest,
  ResultEnvelope,
  StreamEvent,
  TaskRequest,
} from '../../contracts/generated/index.js'

export interface AionClientOptions {
  /** Base URL of the gateway, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string
  /** An API key (`aion_…`) or a JWT. */
  readonly token?: string
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch
}

export interface SubmitOptions {
  readonly idempotencyKey?: string
  /** Ask the server to wait up to this many seconds for the final result (`Prefer: wait`). */
  readonly waitSeconds?: number
  readonly traceparent?: string
  readonly signal?: AbortSignal
}

/** An API key as `GET /v1/keys` lists it. */
export interface ApiKeyInfo {
  readonly key_id: string
  readonly name: string
  readonly scopes: readonly string[]
  readonly created_at: string
  readonly last_used_at: string | null
  readonly revoked_at: string | null
}

/** An error answer of the API (`application/problem+json`). */
export class AionApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly problem: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${String(problem.detail ?? problem.title ?? '')}`)
  }

  override get name(): string {
    return 'AionApiError'
  }
}

export class AionClient {
  readonly #baseUrl: string
  readonly #token: string | undefined
  readonly #fetch: typeof fetch

  constructor(options: AionClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.#token = options.token
    this.#fetch = options.fetch ?? globalThis.fetch
  }

  submit(request: TaskRequest, options: SubmitOptions = {}): Promise<ResultEnvelope> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey
    if (options.waitSeconds !== undefined) headers.prefer = `wait=${options.waitSeconds}`
    if (options.traceparent) headers.traceparent = options.traceparent
    return this.#json('POST', '/v1/tasks', { headers, body: request, signal: options.signal })
  }

  get(taskId: string): Promise<ResultEnvelope> {
    return this.#json('GET', `/v1/tasks/${encodeURIComponent(taskId)}`)
  }

  cancel(taskId: string): Promise<ResultEnvelope> {
    return this.#json('POST', `/v1/tasks/${encodeURIComponent(taskId)}/cancel`)
  }

  /** The task's events (`token`, `partial`, `done`, `error`) after `lastEventId`, as they come. */
  async *stream(
    taskId: string,
    options: { readonly lastEventId?: number; readonly signal?: AbortSignal } = {},
  ): AsyncGenerator<StreamEvent> {
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (options.lastEventId) headers['last-event-id'] = String(options.lastEventId)
    const response = await this.#request('GET', `/v1/stream/${encodeURIComponent(taskId)}`, {
      headers,
      signal: options.signal,
    })
    if (!response.body) return
    const queue: EventSourceMessage[] = []
    const parser = createParser({ onEvent: (message) => queue.push(message) })
    const decoder = new TextDecoder()
    for await (const chunk of response.body) {
      parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }))
      while (queue.length > 0) {
        const event = JSON.parse((queue.shift() as EventSourceMessage).data) as StreamEvent
        yield event
        if (event.event === 'done' || event.event === 'error') return
      }
    }
  }

  reloadPolicies(): Promise<Record<string, unknown>> {
    return this.#json('POST', '/router/policy/reload')
  }

  policyVersions(): Promise<{ versions: Record<string, unknown>[] }> {
    return this.#json('GET', '/router/policy/versions')
  }

  rollbackPolicies(version: number): Promise<Record<string, unknown>> {
    return this.#json('POST', '/router/policy/rollback', { body: { version } })
  }

  events(
    query: { readonly afterId?: number; readonly limit?: number; readonly topic?: string } = {},
  ): Promise<{ events: Record<string, unknown>[]; next_after_id: number }> {
    const params = new URLSearchParams()
    if (query.afterId !== undefined) params.set('after_id', String(query.afterId))
    if (query.limit !== undefined) params.set('limit', String(query.limit))
    if (query.topic !== undefined) params.set('topic', query.topic)
    const suffix = params.size > 0 ? `?${params}` : ''
    return this.#json('GET', `/v1/events${suffix}`)
  }

  /** The API keys of the caller's own tenant (scope `admin`), never their secrets. */
  listKeys(): Promise<{ keys: ApiKeyInfo[] }> {
    return this.#json('GET', '/v1/keys')
  }

  /** Creates a key in the caller's own tenant; `key` is shown only in this answer. */
  createKey(input: KeyCreateRequest): Promise<ApiKeyInfo & { key: string }> {
    return this.#json('POST', '/v1/keys', { body: input })
  }

  /** Revokes a key of the caller's own tenant; it is refused from its next request on. */
  revokeKey(keyId: string): Promise<ApiKeyInfo> {
    return this.#json('POST', `/v1/keys/${encodeURIComponent(keyId)}/revoke`)
  }

  async #json<T>(
    method: string,
    path: string,
    init: {
      headers?: Record<string, string>
      body?: unknown
      signal?: AbortSignal | undefined
    } = {},
  ): Promise<T> {
    const response = await this.#request(method, path, init)
    return (await response.json()) as T
  }

  async #request(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: unknown; signal?: AbortSignal | undefined },
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers }
    if (this.#token) headers.authorization = `Bearer ${this.#token}`
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    const response = await this.#fetch(`${this.#baseUrl}${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    })
    if (response.ok) return response
    const problem = (await response.json().catch(() => ({}))) as Record<string, unknown>
    throw new AionApiError(response.status, String(problem.code ?? 'AION_HTTP_ERROR'), problem)
  }
}
