/**
 * A real OpenAI-compatible HTTP server for tests and benchmarks (test code,
 * not product): it stands in for the cloud model APIs that cannot run here.
 * Serves `POST /v1/chat/completions` and Azure's
 * `/openai/deployments/:deployment/chat/completions?api-version=…`, plain and
 * streamed, with usage. It can be slow, fail, hang or cut a stream — by a
 * scripted step or by the model name — and records what it received.
 *
 * Benchmarks drive it at thousands of requests per second: bare `node:http`,
 * keep-alive on, no per-request logging.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import type { ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import {
  chunksOf,
  completionBody,
  defaultAnswer,
  deltaChunk,
  errorBody,
  finishChunks,
  sseData,
  stepForModel,
  usageFor,
  type ChatBody,
  type UpstreamStep,
} from './upstream-answer.js'

export type { UpstreamStep } from './upstream-answer.js'

/** How the exchange of one request ended. */
export type RequestOutcome = 'completed' | 'client-closed' | 'cut'

/** One request the upstream received. */
export interface RecordedRequest {
  readonly method: string
  /** Path with query (`/v1/chat/completions`). */
  readonly path: string
  readonly headers: IncomingHttpHeaders
  /** The parsed JSON body; `undefined` when empty or not JSON. */
  readonly body: unknown
  /** Settles when the response ends: sent in full, closed by the client, or cut on purpose. */
  readonly finished: Promise<RequestOutcome>
}

/** Options of {@link startUpstream}. */
export interface UpstreamOptions {
  /** @default '127.0.0.1' */
  readonly host?: string
  /** @default 0 (a free port) */
  readonly port?: number
  /** How many recent requests `requests` keeps. @default 1000 */
  readonly recordLimit?: number
}

/** A running test upstream. */
export interface Upstream {
  /** Base URL ending in `/v1` (`http://127.0.0.1:PORT/v1`). */
  readonly url: string
  /** `http://127.0.0.1:PORT` (Azure-style endpoints build on it). */
  readonly origin: string
  /** The most recent requests, oldest first (bounded by `recordLimit`). */
  readonly requests: RecordedRequest[]
  /** TCP connections accepted so far, counted at the socket (before any HTTP parsing). */
  connections(): number
  /** Bytes received on every socket so far, at the socket level. */
  bytesReceived(): number
  /** Queues steps; each request to a chat-completions path consumes the next one. */
  script(...steps: UpstreamStep[]): void
  /** Drops queued steps and recorded requests. */
  reset(): void
  /** Stops listening and destroys open connections (hung ones included). */
  close(): Promise<void>
}

const azurePath = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/

/** Starts an upstream on `host:port` (port 0 by default). */
export async function startUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const recordLimit = options.recordLimit ?? 1000
  const requests: RecordedRequest[] = []
  const steps: UpstreamStep[] = []
  let counter = 0

  const server = createServer(function handle(req, res) {
    const parts: Buffer[] = []
    req.on('data', (chunk: Buffer) => parts.push(chunk))
    req.on('end', () => {
      const body = parseJson(Buffer.concat(parts))
      let settle: (outcome: RequestOutcome) => void = () => {}
      const finished = new Promise<RequestOutcome>((resolve) => (settle = resolve))
      const url = req.url ?? '/'
      requests.push({ method: req.method ?? '', path: url, headers: req.headers, body, finished })
      if (requests.length > recordLimit) requests.shift()
      const exchange: Exchange = { res, cut: false }
      res.on('close', () => {
        settle(exchange.cut ? 'cut' : res.writableFinished ? 'completed' : 'client-closed')
      })
      route(req, exchange, body, () => steps.shift(), `chatcmpl-${++counter}`)
    })
  })
  server.keepAliveTimeout = 65_000
  const sockets = new Set<Socket>()
  let accepted = 0
  let closedBytes = 0
  server.on('connection', (socket: Socket) => {
    accepted++
    sockets.add(socket)
    socket.once('close', () => {
      sockets.delete(socket)
      closedBytes += socket.bytesRead
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const origin = `http://${host}:${address.port}`
  return {
    url: `${origin}/v1`,
    origin,
    requests,
    connections: () => accepted,
    bytesReceived: () => [...sockets].reduce((sum, socket) => sum + socket.bytesRead, closedBytes),
    script: (...more) => void steps.push(...more),
    reset: () => {
      steps.length = 0
      requests.length = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

interface Exchange {
  readonly res: ServerResponse
  cut: boolean
}

function route(
  req: IncomingMessage,
  exchange: Exchange,
  body: unknown,
  nextStep: () => UpstreamStep | undefined,
  id: string,
): void {
  const { res } = exchange
  const [path = '/', query = ''] = (req.url ?? '/').split('?', 2)
  const azure = azurePath.exec(path)
  if (req.method !== 'POST' || (path !== '/v1/chat/completions' && azure === null)) {
    return sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } })
  }
  if (azure !== null && !new URLSearchParams(query).has('api-version')) {
    return sendJson(res, 400, { error: { message: 'api-version query parameter is required' } })
  }
  if (body === null || typeof body !== 'object') {
    return sendJson(res, 400, { error: { message: 'body must be a JSON object' } })
  }
  const chat = body as ChatBody
  const model =
    typeof chat.model === 'string' ? chat.model : decodeURIComponent(azure?.[1] ?? 'unknown')
  const step = nextStep() ?? stepForModel(model)
  if (step.hang === true) return
  const answer = () => respond(exchange, chat, step, model, id)
  if ((step.delayMs ?? 0) > 0) setTimeout(answer, step.delayMs)
  else answer()
}

function respond(
  exchange: Exchange,
  chat: ChatBody,
  step: UpstreamStep,
  model: string,
  id: string,
): void {
  const { res } = exchange
  if (res.destroyed) return
  const status = step.status ?? 200
  if (step.retryAfterSeconds !== undefined) {
    res.setHeader('retry-after', String(step.retryAfterSeconds))
  }
  const streaming = chat.stream === true
  if (typeof step.body === 'string') {
    res.writeHead(status, { 'content-type': streaming ? 'text/event-stream' : 'application/json' })
    return void res.end(step.body)
  }
  if (step.body !== undefined) return sendJson(res, status, step.body)
  if (status < 200 || status > 299) return sendJson(res, status, errorBody(status))
  const text = step.content ?? defaultAnswer(chat)
  const usage = step.omitUsage === true ? undefined : usageFor(chat, text)
  if (!streaming) return sendJson(res, status, completionBody(id, model, text, usage))
  const withUsage = chat.stream_options?.include_usage === true ? usage : undefined
  void stream(exchange, id, model, text, withUsage, step)
}

async function stream(
  exchange: Exchange,
  id: string,
  model: string,
  text: string,
  usage: unknown,
  step: UpstreamStep,
): Promise<void> {
  const { res } = exchange
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
  })
  const chunks = chunksOf(text)
  const delayMs = step.chunkDelayMs ?? 0
  for (const [index, chunk] of chunks.entries()) {
    if (index === step.cutAfterChunks) return cut(exchange)
    if (delayMs > 0 && index > 0) await sleep(delayMs)
    if (res.destroyed) return
    res.write(sseData(deltaChunk(id, model, chunk, index === 0)))
  }
  if (step.cutAfterChunks !== undefined) return cut(exchange)
  if (delayMs > 0) await sleep(delayMs)
  if (res.destroyed) return
  let tail = ''
  for (const chunk of finishChunks(id, model, usage)) tail += sseData(chunk)
  res.end(tail + sseData('[DONE]'))
}

/**
 * Ends the connection mid-stream: what was written is flushed first (so the
 * client sees the chunks before the cut), then the socket is destroyed
 * without the chunked terminator — a premature close to the client.
 */
function cut(exchange: Exchange): void {
  exchange.cut = true
  const socket = exchange.res.socket
  // After this turn: the response's writes of this turn reach the socket first.
  setImmediate(() => socket?.end(() => socket.destroy()))
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const payload = JSON.stringify(value)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  })
  res.end(payload)
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined
  try {
    return JSON.parse(raw.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
