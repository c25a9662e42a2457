/**
 * The one client behind every model provider: OpenAI chat completions over
 * undici, plain and streamed, with a profile stating each provider's dialect.
 * One connection pool per origin, created once, keep-alive, no pipelining.
 */
import { Pool, type Dispatcher } from 'undici'
import type { EgressPolicy } from '../core/egress/index.js'
import { ProviderStreamCutError } from '../core/errors/index.js'
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
  /** Allowed destinations; the profile's origin is checked once, here. */
  readonly egress: EgressPolicy
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

/** A {@link ModelProvider} for any OpenAI-compatible endpoint. */
export class OpenAiCompatibleClient implements ModelProvider {
  readonly name: ProviderName
  readonly #profile: ProviderProfile
  readonly #pool: Pool
  readonly #timeoutMs: number

  /** Throws AION_EGRESS_DENIED when the profile's origin is not allowed. */
  constructor(profile: ProviderProfile, options: OpenAiCompatibleClientOptions) {
    // The pool is bound to this origin and undici follows no redirects, so
    // checking it once covers every call.
    options.egress.assertAllowed(new URL(profile.origin))
    this.name = profile.name
    this.#profile = profile
    this.#timeoutMs = options.timeoutMs
    this.#pool = new Pool(profile.origin, {
      connections: options.connections ?? 256,
      pipelining: 1,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      // Our own deadline governs; undici's would fire in the middle of it.
      headersTimeout: 0,
      bodyTimeout: 0,
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

  /** Closes the pool's connections (waiting for calls in flight). */
  async close(): Promise<void> {
    await this.#pool.close()
  }

  async #send(
    request: ChatRequest,
    stream: boolean,
    deadline: CallDeadline,
  ): Promise<ResponseData> {
    const response = await this.#pool.request({
      method: 'POST',
      path: this.#profile.chatPath(request.model),
      headers: this.#profile.headers,
      body: chatBody(this.#profile, request, stream),
      signal: deadline.signal,
    })
    if (response.statusCode >= 200 && response.statusCode < 300) return response
    const raw = await response.body.text()
    throw statusFailure(this.#profile, response.statusCode, response.headers, raw)
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
