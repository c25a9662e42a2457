/**
 * The one client behind every model provider: OpenAI chat completions over
 * undici, plain and streamed, with a profile stating each provider's dialect.
 * One connection pool per origin, created once, keep-alive, no pipelining.
 */
import { Pool, type Dispatcher } from 'undici'
import type { EgressPolicy } from '../core/egress/index.js'
import { ProviderBadResponseError, ProviderStreamCutError } from '../core/errors/index.js'
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
import { SseParser } from './sse-parser.js'

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
    let streaming = false
    let deltas = 0
    let finished = false
    try {
      const response = await this.#send(request, true, deadline)
      const type = response.headers['content-type']
      if (typeof type === 'string' && type.includes('json')) {
        await response.body.dump()
        const detail = 'a JSON body where an event stream was asked for'
        throw new ProviderBadResponseError({ provider: this.name, detail })
      }
      streaming = true
      const parser = new SseParser()
      let done = false
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        deadline.touch()
        // After [DONE] the body is read to its end so the connection can be reused.
        if (done) continue
        for (const event of parser.push(chunk)) {
          if (event.data === '[DONE]') done = true
          if (done) break
          const text = assembly.add(event.data)
          if (text === undefined) continue
          deltas++
          deadline.suspend()
          yield { type: 'delta', text }
          deadline.resume()
        }
      }
      finished = true
      done ||= parser.end().some((event) => event.data === '[DONE]')
      // A clean end is enough after a finish_reason: not every server sends [DONE].
      if (!done && assembly.finishReason === undefined) {
        throw new ProviderStreamCutError({ provider: this.name, deltas })
      }
    } catch (error) {
      throw this.#failure(error, deadline, streaming, deltas)
    } finally {
      deadline.release(finished)
    }
    yield { type: 'done', result: assembly.result() }
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
