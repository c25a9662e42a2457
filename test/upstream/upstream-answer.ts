/**
 * What the test upstream answers: the plan for one request (from a scripted
 * step or the model name), the default text, usage counts and the OpenAI
 * chat-completion bodies and stream chunks. Pure functions; the server in
 * `openai-upstream.ts` writes them out.
 */

/** One scripted behaviour, consumed by one request. */
export interface UpstreamStep {
  /** HTTP status; a non-2xx status without `body` answers an OpenAI-shaped error. @default 200 */
  readonly status?: number
  /** Raw body: an object is sent as JSON, a string as is (malformed bodies, raw SSE). */
  readonly body?: unknown
  /** The assistant's text instead of the default answer. */
  readonly content?: string
  /** Wait this long before sending headers. @default 0 */
  readonly delayMs?: number
  /** Wait this long between stream chunks. @default 0 */
  readonly chunkDelayMs?: number
  /** Never answer (the connection stays open until the client or `close()` ends it). */
  readonly hang?: boolean
  /** Stream this many content chunks, then destroy the socket. */
  readonly cutAfterChunks?: number
  /** Sent as `Retry-After`. */
  readonly retryAfterSeconds?: number
  /** Leave `usage` out of the answer (and out of the stream even when asked). @default false */
  readonly omitUsage?: boolean
}

/** The JSON body of a chat-completions request, as far as the upstream reads it. */
export interface ChatBody {
  readonly model?: unknown
  readonly messages?: unknown
  readonly stream?: unknown
  readonly stream_options?: { readonly include_usage?: unknown }
  readonly response_format?: { readonly type?: unknown }
}

/**
 * The step a model name asks for when nothing is scripted (tensorzero-style):
 * `slow-<ms>`, `fail-<status>` (`fail-429`, `fail-500`, …), `cut-<n>`, `hang`,
 * `no-usage`. Any other name gets the default answer.
 */
export function stepForModel(model: string): UpstreamStep {
  if (model === 'hang') return { hang: true }
  if (model === 'no-usage') return { omitUsage: true }
  const match = /^(slow|fail|cut)-(\d+)$/.exec(model)
  if (match === null) return {}
  const value = Number(match[2])
  if (match[1] === 'slow') return { delayMs: value }
  if (match[1] === 'cut') return { cutAfterChunks: value }
  return value === 429 ? { status: 429, retryAfterSeconds: 1 } : { status: value }
}

interface Message {
  readonly role?: unknown
  readonly content?: unknown
}

function messagesOf(body: ChatBody): readonly Message[] {
  return Array.isArray(body.messages) ? (body.messages as Message[]) : []
}

const words = (text: string) => text.split(/\s+/).filter((w) => w !== '').length

/**
 * The default answer: `{}` when JSON output is asked for; otherwise the first
 * sentence of the last user message, or `ok` when there is none.
 */
export function defaultAnswer(body: ChatBody): string {
  const format = body.response_format?.type
  if (format === 'json_schema' || format === 'json_object' || format === 'json') return '{}'
  const users = messagesOf(body).filter((m) => m.role === 'user' && typeof m.content === 'string')
  const last = users.at(-1)?.content as string | undefined
  const sentence = last?.trim().match(/^[\s\S]*?[.!?](?=\s|$)/)?.[0] ?? last?.trim()
  return sentence === undefined || sentence === '' ? 'ok' : sentence
}

/** Usage counts: words of every message plus 4 per message, and words of the answer. */
export function usageFor(body: ChatBody, text: string) {
  let promptTokens = 0
  for (const m of messagesOf(body)) {
    promptTokens += 4 + (typeof m.content === 'string' ? words(m.content) : 0)
  }
  const completionTokens = words(text)
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  }
}

/** Splits a text into stream chunks, one word (with its following space) each. */
export function chunksOf(text: string): string[] {
  const chunks = text.match(/\S+\s*|\s+/g) ?? []
  return chunks.length > 0 ? chunks : ['']
}

/** The non-streaming answer body. */
export function completionBody(id: string, model: string, text: string, usage: unknown) {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    ...(usage === undefined ? {} : { usage }),
  }
}

/** One `data:` line of a stream. */
export function sseData(value: unknown): string {
  return `data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`
}

/** A stream chunk with a content delta (the first also carries the role). */
export function deltaChunk(id: string, model: string, text: string, first: boolean) {
  return {
    id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        delta: first ? { role: 'assistant', content: text } : { content: text },
        finish_reason: null,
      },
    ],
  }
}

/** The chunk that ends the choice, and the usage chunk (`choices: []`) OpenAI sends when asked. */
export function finishChunks(id: string, model: string, usage: unknown | undefined): unknown[] {
  const created = Math.floor(Date.now() / 1000)
  const base = { id, object: 'chat.completion.chunk', created, model }
  const finish = { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }
  return usage === undefined ? [finish] : [finish, { ...base, choices: [], usage }]
}

/** An OpenAI-shaped error body. */
export function errorBody(status: number) {
  const type =
    status === 429
      ? 'rate_limit_exceeded'
      : status === 401 || status === 403
        ? 'authentication_error'
        : status >= 500
          ? 'server_error'
          : 'invalid_request_error'
  return { error: { message: `upstream answered ${status}`, type, code: String(status) } }
}
