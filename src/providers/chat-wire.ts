/**
 * The chat-completions wire format: the request body a profile asks for, and
 * the answer (plain or streamed) read back into the port's types. Anything
 * off-shape is a {@link ProviderBadResponseError}.
 */
import { ProviderBadResponseError, ProviderUnavailableError } from '../core/errors/index.js'
import { estimateTokens } from './cost.js'
import type { ChatRequest, ChatResult, TokenUsage } from './model-provider.js'
import type { ProviderProfile } from './profiles/provider-profile.js'
import { redact } from './provider-failure.js'

/** The JSON body of one call. */
export function chatBody(profile: ProviderProfile, request: ChatRequest, stream: boolean): string {
  const body: Record<string, unknown> = {}
  if (profile.modelInBody) body.model = request.model
  body.messages = request.messages
  if (request.maxOutputTokens !== undefined) body[profile.maxTokensField] = request.maxOutputTokens
  if (request.temperature !== undefined) body.temperature = request.temperature
  if (request.responseFormat !== undefined) {
    body.response_format = profile.responseFormat(request.responseFormat)
  }
  if (stream) {
    body.stream = true
    body.stream_options = { include_usage: true }
  }
  return JSON.stringify(body)
}

interface WireUsage {
  readonly prompt_tokens?: unknown
  readonly completion_tokens?: unknown
}

interface WireChoice {
  readonly message?: { readonly content?: unknown }
  readonly delta?: { readonly content?: unknown }
  readonly finish_reason?: unknown
}

interface WireAnswer {
  readonly model?: unknown
  readonly choices?: unknown
  readonly usage?: WireUsage | null
  readonly error?: { readonly message?: unknown } | unknown
}

function parseJson(profile: ProviderProfile, raw: string): WireAnswer {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    throw new ProviderBadResponseError({ provider: profile.name, detail: 'the body is not JSON' })
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProviderBadResponseError({ provider: profile.name, detail: 'not a JSON object' })
  }
  return value as WireAnswer
}

/** Usage as reported, or estimated from the texts when the provider left it out. */
function usageOf(usage: WireUsage | null | undefined, request: ChatRequest, text: string) {
  const input = usage?.prompt_tokens
  const output = usage?.completion_tokens
  if (typeof input === 'number' && typeof output === 'number') {
    return { inputTokens: input, outputTokens: output }
  }
  let inputBytes = 0
  for (const message of request.messages) inputBytes += Buffer.byteLength(message.content)
  return {
    inputTokens: estimateTokens(inputBytes),
    outputTokens: estimateTokens(Buffer.byteLength(text)),
  }
}

/** Reads a non-streamed answer. */
export function parseCompletion(
  profile: ProviderProfile,
  raw: string,
  request: ChatRequest,
): ChatResult {
  const answer = parseJson(profile, raw)
  const choice = Array.isArray(answer.choices) ? (answer.choices[0] as WireChoice) : undefined
  if (choice === undefined || choice === null || typeof choice !== 'object') {
    throw new ProviderBadResponseError({ provider: profile.name, detail: 'no choices' })
  }
  const content = choice.message?.content
  if (content !== null && content !== undefined && typeof content !== 'string') {
    throw new ProviderBadResponseError({ provider: profile.name, detail: 'content is not text' })
  }
  const text = content ?? ''
  return {
    text,
    usage: usageOf(answer.usage, request, text),
    finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : 'stop',
    model: typeof answer.model === 'string' ? answer.model : request.model,
  }
}

/** Gathers a stream's chunks: the text so far, the finish reason, usage and model. */
export class StreamAssembly {
  readonly #parts: string[] = []
  #usage: WireUsage | null | undefined
  #model: string | undefined
  /** Set once a chunk carried `finish_reason`. */
  finishReason: string | undefined

  constructor(
    private readonly profile: ProviderProfile,
    private readonly request: ChatRequest,
  ) {}

  /** Reads one `data:` payload; returns its text delta, if any. */
  add(data: string): string | undefined {
    const chunk = parseJson(this.profile, data)
    if (chunk.error !== undefined && chunk.error !== null) {
      const message = (chunk.error as { message?: unknown }).message
      const detail = typeof message === 'string' ? message : 'error event'
      const reason = `error in stream: ${redact(this.profile, detail)}`
      throw new ProviderUnavailableError({ provider: this.profile.name, reason })
    }
    if (typeof chunk.model === 'string') this.#model = chunk.model
    if (chunk.usage !== undefined && chunk.usage !== null) this.#usage = chunk.usage
    const choice = Array.isArray(chunk.choices) ? (chunk.choices[0] as WireChoice) : undefined
    if (choice === undefined || choice === null) return undefined
    if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason
    const delta = choice.delta?.content
    if (typeof delta !== 'string' || delta === '') return undefined
    this.#parts.push(delta)
    return delta
  }

  /** The whole answer, once the stream has ended properly. */
  result(): ChatResult {
    const text = this.#parts.join('')
    const usage: TokenUsage = usageOf(this.#usage, this.request, text)
    return {
      text,
      usage,
      finishReason: this.finishReason ?? 'stop',
      model: this.#model ?? this.request.model,
    }
  }
}
