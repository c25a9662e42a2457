/**
 * Every error the gateway answers is `application/problem+json` with a stable
 * code — its own, Fastify's (unknown route, wrong method, bad URL, body too
 * large, wrong media type, malformed JSON) and Node's HTTP parser's (headers
 * too large, a request that is not HTTP, a client too slow), which Node
 * would otherwise answer itself with a bare body.
 */
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  BadUrlError,
  BodyTooLargeError,
  HeadersTooLargeError,
  MalformedHttpError,
  MalformedJsonError,
  MethodNotAllowedError,
  problemContentType,
  RequestTimeoutError,
  RouteNotFoundError,
  toAionError,
  toProblem,
  UnsupportedMediaTypeError,
  UrlTooLongError,
  type AionError,
} from '../core/errors/index.js'

/** Sends `error` as problem+json, with `Retry-After` when it names one. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AionError): void {
  const problem = toProblem(error, request.url)
  const retryAfter = (error.fields as Record<string, unknown>).retryAfterSeconds
  if (typeof retryAfter === 'number' && !reply.hasHeader('retry-after')) {
    void reply.header('retry-after', String(retryAfter))
  }
  void reply.status(problem.status).type(problemContentType).send(problem)
}

/**
 * The error handler and the not-found handler: 405 with `Allow` where the
 * path is served under other methods (`methodsOf`, from the route table),
 * else 404.
 */
export function registerProblemHandlers(
  app: FastifyInstance,
  bodyLimitBytes: number,
  methodsOf: (path: string) => readonly string[],
): void {
  app.setErrorHandler(function renderProblem(error, request, reply) {
    const aion = translateFastifyError(error, request, bodyLimitBytes)
    if (aion.kind === 'internal') request.log.error({ err: error }, 'unexpected error')
    sendProblem(request, reply, aion)
  })

  app.setNotFoundHandler(function renderNotFound(request, reply) {
    const allow = methodsOf(request.url.split('?', 1)[0] ?? '')
    if (allow.length > 0) {
      void reply.header('allow', allow.join(', '))
      sendProblem(request, reply, new MethodNotAllowedError({ method: request.method, allow }))
      return
    }
    sendProblem(
      request,
      reply,
      new RouteNotFoundError({ method: request.method, url: request.url }),
    )
  })
}

/** Fastify's own errors carry codes of their own; give them ours. */
function translateFastifyError(
  error: unknown,
  request: FastifyRequest,
  bodyLimitBytes: number,
): AionError {
  const code = (error as { code?: unknown }).code
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BodyTooLargeError({ limitBytes: bodyLimitBytes })
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError({
        contentType: request.headers['content-type'] ?? '',
      })
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new MalformedJsonError({ detail: (error as Error).message }, { cause: error })
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new MalformedHttpError({ reason: 'Content-Length does not match the body' })
    case 'FST_ERR_BAD_URL':
      return new BadUrlError({ url: request.url })
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new UrlTooLongError({})
  }
  if (error instanceof SyntaxError) {
    return new MalformedJsonError({ detail: error.message }, { cause: error })
  }
  const status = (error as { statusCode?: unknown }).statusCode
  if (typeof code === 'string' && code.startsWith('FST_') && isClientStatus(status)) {
    // A client error of Fastify's that has no code of ours yet: still a 400, still problem+json.
    return new MalformedHttpError({ reason: code }, { cause: error })
  }
  return toAionError(error)
}

function isClientStatus(status: unknown): boolean {
  return typeof status === 'number' && status >= 400 && status < 500
}

/**
 * Fastify's `frameworkErrors`: errors found while routing, before any hook
 * runs (a URL that does not decode, a path parameter too long).
 */
export function renderFrameworkError(
  error: Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const code = (error as { code?: unknown }).code
  const aion =
    code === 'FST_ERR_BAD_URL'
      ? new BadUrlError({ url: request.url })
      : code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new UrlTooLongError({})
        : toAionError(error)
  sendProblem(request, reply, aion)
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request
 * before it became one, so the answer is written to the socket by hand, then
 * the connection closes (its framing can no longer be trusted).
 */
export function renderClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const aion =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new HeadersTooLargeError({})
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new RequestTimeoutError({})
        : new MalformedHttpError({ reason: error.code ?? 'unreadable request' })
  const problem = toProblem(aion)
  const body = JSON.stringify(problem)
  // As Node's own handler: never write into a response already under way on this socket.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  if (socket.writable && inFlight?.headersSent !== true) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n` +
        `Content-Type: ${problemContentType}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}
