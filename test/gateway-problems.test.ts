/**
 * Every error the platform answers is application/problem+json with a stable
 * code, Fastify's and Node's HTTP parser's included, over real HTTP (and raw
 * TCP where a client library would not send the request at all).
 */
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from './support/platform.js'

let t: TestPlatform
beforeAll(async () => {
  t = await startTestPlatform()
})
afterAll(async () => {
  await t?.close()
})

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: Record<string, unknown>
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${t.url}${path}`, init)
  const text = await response.text()
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  const body = JSON.parse(text) as Record<string, unknown>
  expect(body.status).toBe(response.status)
  return { status: response.status, headers: response.headers, body }
}

/** Sends raw bytes and reads until the server closes the connection. */
function raw(bytes: string): Promise<string> {
  const { hostname, port } = new URL(t.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes))
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('close', () => resolve(answer))
    socket.on('error', reject)
  })
}

function rawProblem(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n')
  const [statusLine = '', ...fields] = head.split('\r\n')
  const headers = Object.fromEntries(
    fields.map((f) => [
      f.slice(0, f.indexOf(':')).toLowerCase(),
      f.slice(f.indexOf(':') + 1).trim(),
    ]),
  )
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: JSON.parse(body) as Record<string, unknown>,
  }
}

const json = (body: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json', ...headers },
  body,
})

describe('errors of the HTTP framing', () => {
  it('431 AION_REQUEST_HEADERS_TOO_LARGE for oversized headers (Node parser)', async () => {
    const { status, body } = await call('/healthz', { headers: { 'x-big': 'x'.repeat(40_000) } })
    expect(status).toBe(431)
    expect(body.code).toBe('AION_REQUEST_HEADERS_TOO_LARGE')
  })

  it('404 AION_REQUEST_ROUTE_NOT_FOUND for an unknown route', async () => {
    const { status, body } = await call('/v2/nothing')
    expect(status).toBe(404)
    expect(body.code).toBe('AION_REQUEST_ROUTE_NOT_FOUND')
  })

  it('405 AION_REQUEST_METHOD_NOT_ALLOWED with Allow for a known path under another method', async () => {
    const put = await call('/v1/tasks', { method: 'PUT' })
    expect(put.status).toBe(405)
    expect(put.body).toMatchObject({ code: 'AION_REQUEST_METHOD_NOT_ALLOWED', allow: ['POST'] })
    expect(put.headers.get('allow')).toBe('POST')
    const del = await call('/v1/tasks/tsk_1', { method: 'DELETE' })
    expect(del.status).toBe(405)
    expect(del.headers.get('allow')).toBe('GET, HEAD')
  })

  it('413 AION_REQUEST_BODY_TOO_LARGE past the body limit', async () => {
    const { status, body } = await call('/v1/tasks', json(`"${'x'.repeat(1_100_000)}"`))
    expect(status).toBe(413)
    expect(body.code).toBe('AION_REQUEST_BODY_TOO_LARGE')
  })

  it.each([
    ['text/plain', 'text/plain'],
    ['application/xml', 'application/xml'],
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
  ])('415 AION_REQUEST_UNSUPPORTED_MEDIA_TYPE for %s', async (contentType) => {
    const { status, body } = await call(
      '/v1/tasks',
      json('{"intent":"summarize","input":{"text":"A."}}', { 'content-type': contentType }),
    )
    expect(status).toBe(415)
    expect(body).toMatchObject({ code: 'AION_REQUEST_UNSUPPORTED_MEDIA_TYPE', contentType })
  })

  it('415 for a body sent with no content type at all', async () => {
    // fetch adds text/plain to a string body; a Uint8Array goes without a content type.
    const { status, body } = await call('/v1/tasks', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}` },
      body: new TextEncoder().encode('{"intent":"summarize","input":{"text":"A."}}'),
    })
    expect(status).toBe(415)
    expect(body.code).toBe('AION_REQUEST_UNSUPPORTED_MEDIA_TYPE')
  })

  it.each([
    ['malformed', '{"intent":'],
    ['empty', ''],
    ['a __proto__ key', '{"intent":"summarize","__proto__":{"admin":true}}'],
    ['a constructor.prototype', '{"constructor":{"prototype":{"admin":true}}}'],
  ])('400 AION_REQUEST_MALFORMED_JSON for a %s body', async (_name, text) => {
    const { status, body } = await call('/v1/tasks', json(text))
    expect(status).toBe(400)
    expect(body.code).toBe('AION_REQUEST_MALFORMED_JSON')
  })

  it('400 AION_REQUEST_BAD_URL for a URL that does not decode', async () => {
    const { status, body } = await call('/v1/tasks/%E0%A4%A', {
      headers: { authorization: `Bearer ${t.key}` },
    })
    expect(status).toBe(400)
    expect(body.code).toBe('AION_REQUEST_BAD_URL')
  })

  it('414 AION_REQUEST_URL_TOO_LONG for a path parameter past the router limit', async () => {
    const { status, body } = await call(`/v1/tasks/${'a'.repeat(500)}`)
    expect(status).toBe(414)
    expect(body.code).toBe('AION_REQUEST_URL_TOO_LONG')
  })

  it.each([
    ['an unknown method', 'BREW /v1/tasks HTTP/1.1\r\nHost: x\r\n\r\n', 'HPE_INVALID_METHOD'],
    ['no request line', 'hello\r\n\r\n', 'HPE_INVALID_METHOD'],
    [
      'a bad Content-Length',
      'POST /v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n',
      'HPE_INVALID_CONTENT_LENGTH',
    ],
    [
      'a header without a colon',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n',
      'HPE_INVALID_HEADER_TOKEN',
    ],
  ])('400 AION_REQUEST_MALFORMED_HTTP for %s (Node parser)', async (_name, bytes, reason) => {
    const answer = rawProblem(await raw(bytes))
    expect(answer.status).toBe(400)
    expect(answer.headers['content-type']).toBe('application/problem+json')
    expect(answer.body).toMatchObject({ status: 400, code: 'AION_REQUEST_MALFORMED_HTTP', reason })
  })

  it('431 over raw TCP too, and the connection closes', async () => {
    const answer = rawProblem(
      await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(40_000)}\r\n\r\n`),
    )
    expect(answer.status).toBe(431)
    expect(answer.headers.connection).toBe('close')
    expect(answer.body.code).toBe('AION_REQUEST_HEADERS_TOO_LARGE')
  })
})

describe('the depth bound on JSON bodies', () => {
  const nested = (depth: number) =>
    `{"intent":"summarize","input":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`

  it.each([
    ['without an Idempotency-Key', {}],
    ['with an Idempotency-Key', { 'idempotency-key': 'deep-body-0001' }],
  ])('answers 400 AION_REQUEST_BODY_TOO_DEEP at 8,000 levels %s', async (_name, headers) => {
    const { status, body } = await call('/v1/tasks', json(nested(8000), headers))
    expect(status).toBe(400)
    expect(body).toMatchObject({ code: 'AION_REQUEST_BODY_TOO_DEEP', maxDepth: 64 })
  })

  it('refuses one level past the bound and reads a body at the bound', async () => {
    // The body object is level 1; `input` and the 62 objects inside it make 64.
    const atBound = await fetch(`${t.url}/v1/tasks`, json(nested(63)))
    expect((await atBound.json()) as Record<string, unknown>).not.toMatchObject({
      code: 'AION_REQUEST_BODY_TOO_DEEP',
    })
    const past = await call('/v1/tasks', json(nested(64)))
    expect(past.body.code).toBe('AION_REQUEST_BODY_TOO_DEEP')
  })

  it('does not count brackets inside strings', async () => {
    const response = await fetch(
      `${t.url}/v1/tasks`,
      json(JSON.stringify({ intent: 'summarize', input: { text: `${'[{'.repeat(500)} "\\"[` } })),
    )
    expect(response.status).toBe(202)
  })
})
