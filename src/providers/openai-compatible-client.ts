/**
 * The one client behind every model provider: OpenAI chat completions over
 * undici, plain and streamed, with a profile stating each provider's dialect.
 * One connection pool per origin and placement, created on first use,
 * keep-alive, no pipelining; every connection is made through the address
 * guard, and an on-premises call only on a pool whose connections all
 * landed inside the local networks.
 */
import { isIP } from 'node:net'
import { Pool, type Dispatcher } from 'undici'
import {
  AddressGuard,
  guardedConnector,
  type EgressPolicy,
  type Placement,
} from '../core/egress/index.js'
import { ProviderMisconfiguredError, ProviderStreamCutError } from '../core/errors/index.js'
import { CallDeadline } from './call-deadline.js'
import { chatBody, parseCompletion, StreamAssembly } from './chat-wire.js'
import type {
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  ModelProvider,
  ProviderName,
} from './model-provider.js'
import type { ProviderProfile } from './profiles/provider-profile.js'
import { callFailure, statusFailure } from './provider-failure.js'
import { SseParser, type SseEvent } from './sse-parser.js'

/** Options of {@link OpenAiCompatibleClient}. */
export interface OpenAiCompatibleClientOptions {
  /**
   * Deadline of one call (`settings.providers.timeoutMs`): the whole call for
   * `complete`; for `stream`, the first byte and then each next chunk.
   */
  readonly timeoutMs: number
  /**
   * Allowed destinations; each origin is checked before its first call.
   * @default no allow-list: the address guard alone decides
   */
  readonly egress?: EgressPolicy
  /** Judges the address of every connection. @default new AddressGuard() (loopback allowed) */
  readonly guard?: AddressGuard
  /**
   * The profile for a model's own base URL (`ChatRequest.endpoint`).
   * @default none: a request naming an endpoint fails AION_PROVIDER_MISCONFIGURED
   */
  readonly profileAt?: (baseUrl: string) => ProviderProfile
  /** Most open connections to the origin. @default 256 */
  readonly connections?: number
  /** Idle keep-alive of a pooled connection. @default 30000 */
  readonly keepAliveTimeoutMs?: number
}

type ResponseData = Dispatcher.ResponseData

interface StreamProgress {
  /** Headers arrived: a transport failure now cuts the stream. */
  streaming: boolean
  deltas: number
  /** `[DONE]` arrived. */
  done: boolean
}

/** Where one call goes: the profile of its base URL and the pool of its placement. */
interface Route {
  readonly profile: ProviderProfile
  readonly pool: Pool
}

/** A {@link ModelProvider} for any OpenAI-compatible endpoint. */
export class OpenAiCompatibleClient implements ModelProvider {
  readonly name: ProviderName
  readonly #profile: ProviderProfile
  readonly #options: OpenAiCompatibleClientOptions
  readonly #guard: AddressGuard
  readonly #timeoutMs: number
  /** By base URL (undefined: the provider's own), then placement. */
  readonly #routes = new Map<string | undefined, Map<Placement, Route>>()

  /** Throws AION_EGRESS_DENIED when the profile's origin is not allowed. */
  constructor(profile: ProviderProfile, options: OpenAiCompatibleClientOptions) {
    this.name = profile.name
    this.#profile = profile
    this.#options = options
    this.#guard = options.guard ?? new AddressGuard()
    this.#timeoutMs = options.timeoutMs
    this.#route(undefined, 'anywhere')
  }

  isOnPremises(endpoint: string | undefined): boolean {
    const base = endpoint ?? this.#profile.origin
    const host = URL.canParse(base) ? new URL(base).hostname.replace(/^\[(.*)\]$/, '$1') : ''
    if (host === '') return false
    return isIP(host) === 0 || this.#guard.localNetworks.contains(host)
  }

  /** The profile and pool of a call; undici follows no redirects, so a pool never leaves its origin. */
  #route(endpoint: string | undefined, placement: Placement): Route {
    let byPlacement = this.#routes.get(endpoint)
    if (byPlacement === undefined) {
      byPlacement = new Map()
      this.#routes.set(endpoint, byPlacement)
    }
    let route = byPlacement.get(placement)
    if (route === undefined) {
      const profile = endpoint === undefined ? this.#profile : this.#profileAt(endpoint)
      this.#options.egress?.assertAllowed(new URL(profile.origin))
      route = { profile, pool: this.#pool(profile.origin, placement) }
      byPlacement.set(placement, route)
    }
    return route
  }

  #profileAt(endpoint: string): ProviderProfile {
    const profileAt = this.#options.profileAt
    if (profileAt === undefined) {
      throw new ProviderMisconfiguredError({
        provider: this.name,
        reason: 'it serves no model at its own endpoint',
      })
    }
    return profileAt(endpoint)
  }

  #pool(origin: string, placement: Placement): Pool {
    return new Pool(origin, {
      connections: this.#options.connections ?? 256,
      pipelining: 1,
      keepAliveTimeout: this.#options.keepAliveTimeoutMs ?? 30_000,
      // Our own deadline governs; undici's would fire in the middle of it.
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: guardedConnector(this.#guard, { placement }),
    })
  }

  async complete(request: ChatRequest): Promise<ChatResult> {
    const deadline = new CallDeadline(request.signal, this.#timeoutMs, 'total')
    let finished = false
    try {
      const response = await this.#send(request, false, deadline)
      const raw = await response.body.text()
      finished = true
      return parseCompletion(this.#profile, raw, request)
    } catch (error) {
      throw this.#failure(error, deadline, false, 0)
    } finally {
      deadline.release(finished)
    }
  }

  async *stream(request: ChatRequest): AsyncGenerator<ChatStreamEvent> {
    const deadline = new CallDeadline(request.signal, this.#timeoutMs, 'idle')
    const assembly = new StreamAssembly(this.#profile, request)
    const progress: StreamProgress = { streaming: false, deltas: 0, done: false }
    let finished = false
    try {
      const response = await this.#send(request, true, deadline)
      const type = response.headers['content-type']
      if (typeof type === 'string' && type.includes('json')) {
        // A server that ignored `stream: true` sent the whole answer at once.
        const result = parseCompletion(this.#profile, await response.body.text(), request)
        finished = true
        if (result.text !== '') yield { type: 'delta', text: result.text }
        yield { type: 'done', result }
        return
      }
      progress.streaming = true
      yield* this.#deltas(response, assembly, deadline, progress)
      finished = true
      // A clean end is enough after a finish_reason: not every server sends [DONE].
      if (!progress.done && assembly.finishReason === undefined) {
        throw new ProviderStreamCutError({ provider: this.name, deltas: progress.deltas })
      }
    } catch (error) {
      // After [DONE] the answer is whole; a failure while draining costs only the connection.
      if (!progress.done) throw this.#failure(error, deadline, progress.streaming, progress.deltas)
    } finally {
      deadline.release(finished)
    }
    yield { type: 'done', result: assembly.result() }
  }

  /** Reads the event stream, yielding text deltas; `progress.done` once `[DONE]` arrives. */
  async *#deltas(
    response: ResponseData,
    assembly: StreamAssembly,
    deadline: CallDeadline,
    progress: StreamProgress,
  ): AsyncGenerator<ChatStreamEvent> {
    const parser = new SseParser()
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      deadline.touch()
      // After [DONE] the body is read to its end so the connection can be reused.
      if (!progress.done) yield* this.#events(parser.push(chunk), assembly, deadline, progress)
    }
    if (!progress.done) yield* this.#events(parser.end(), assembly, deadline, progress)
  }

  *#events(
    events: readonly SseEvent[],
    assembly: StreamAssembly,
    deadline: CallDeadline,
    progress: StreamProgress,
  ): Generator<ChatStreamEvent> {
    for (const event of events) {
      if (event.data === '[DONE]') {
        progress.done = true
        return
      }
      const text = assembly.add(event.data)
      if (text === undefined) continue
      progress.deltas++
      deadline.suspend()
      yield { type: 'delta', text }
      deadline.resume()
    }
  }

  /** Closes the pools' connections (waiting for calls in flight). */
  async close(): Promise<void> {
    const pools = [...this.#routes.values()].flatMap((routes) => [...routes.values()])
    await Promise.all(pools.map((route) => route.pool.close()))
  }

  async #send(
    request: ChatRequest,
    stream: boolean,
    deadline: CallDeadline,
  ): Promise<ResponseData> {
    const { profile, pool } = this.#route(request.endpoint, request.placement ?? 'anywhere')
    const response = await pool.request({
      method: 'POST',
      path: profile.chatPath(request.model),
      headers:
        request.traceparent === undefined
          ? profile.headers
          : { ...profile.headers, traceparent: request.traceparent },
      body: chatBody(profile, request, stream),
      signal: deadline.signal,
    })
    if (response.statusCode >= 200 && response.statusCode < 300) return response
    const raw = await response.body.text()
    throw statusFailure(profile, response.statusCode, response.headers, raw)
  }

  #failure(error: unknown, deadline: CallDeadline, streaming: boolean, deltas: number) {
    return callFailure(this.#profile, error, {
      cancelled: deadline.cancelled,
      timedOut: deadline.timedOut,
      timeoutMs: this.#timeoutMs,
      streaming,
      deltas,
    })
  }
}
