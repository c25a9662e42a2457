import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  parseTraceparent,
  registerTraceContext,
  traceContextFrom,
  traceOf,
} from './trace-context.js'

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
const parentId = '00f067aa0ba902b7'
const valid = `00-${traceId}-${parentId}-01`

describe('parseTraceparent', () => {
  it('reads a valid version-00 header', () => {
    expect(parseTraceparent(valid)).toEqual({ traceId, parentId, sampled: true })
    expect(parseTraceparent(`00-${traceId}-${parentId}-00`)?.sampled).toBe(false)
  })

  it('accepts a later version with extra fields, as the spec asks', () => {
    expect(parseTraceparent(`cc-${traceId}-${parentId}-01-what-the-future-holds`)).toEqual({
      traceId,
      parentId,
      sampled: true,
    })
  })

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['uppercase hex', valid.toUpperCase()],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${parentId}-01`],
    ['an all-zero parent id', `00-${traceId}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${traceId}-${parentId}-01`],
    ['version 00 with extra fields', `${valid}-extra`],
    ['a short trace id', `00-${traceId.slice(1)}-${parentId}-01`],
    ['wrong separators', valid.replace(/-/g, '_')],
    ['non-hex flags', `00-${traceId}-${parentId}-0x`],
    ['a later version glued to more text', `cc-${traceId}-${parentId}-01x`],
  ])('refuses %s', (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined()
  })
})

describe('traceContextFrom', () => {
  it('continues a trace with a new span id', () => {
    const context = traceContextFrom(valid, 'vendor=1')
    expect(context.traceId).toBe(traceId)
    expect(context.parentSpanId).toBe(parentId)
    expect(context.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(context.spanId).not.toBe(parentId)
    expect(context.traceparent).toBe(`00-${traceId}-${context.spanId}-01`)
    expect(context.tracestate).toBe('vendor=1')
  })

  it('starts a new, sampled trace with random ids when the header is invalid', () => {
    const ids = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      const context = traceContextFrom(`00-${'0'.repeat(32)}-${parentId}-01`, 'vendor=1')
      expect(context.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      expect(parseTraceparent(context.traceparent)).toBeDefined()
      expect(context.parentSpanId).toBeNull()
      expect(context.tracestate).toBeUndefined()
      ids.add(context.traceId)
    }
    expect(ids.size).toBe(2000)
  })
})

describe('registerTraceContext over HTTP', () => {
  let app: FastifyInstance
  let base: string

  beforeAll(async () => {
    app = Fastify({ logger: false })
    registerTraceContext(app)
    app.get('/trace', async (request) => traceOf(request))
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  })
  afterAll(() => app.close())

  it('gives the handler the incoming trace and echoes traceparent with its span id', async () => {
    const response = await fetch(`${base}/trace`, {
      headers: { traceparent: valid, tracestate: 'a=1' },
    })
    const context = (await response.json()) as {
      traceId: string
      spanId: string
      parentSpanId: string
      tracestate: string
    }
    expect(context).toMatchObject({ traceId, parentSpanId: parentId, tracestate: 'a=1' })
    expect(response.headers.get('traceparent')).toBe(`00-${traceId}-${context.spanId}-01`)
  })

  it('starts a new trace without a header, and echoes traceparent on a 404 too', async () => {
    const a = await fetch(`${base}/trace`)
    const b = await fetch(`${base}/trace`)
    const idA = ((await a.json()) as { traceId: string }).traceId
    const idB = ((await b.json()) as { traceId: string }).traceId
    expect(idA).not.toBe(idB)
    expect(a.headers.get('traceparent')).toMatch(new RegExp(`^00-${idA}-[0-9a-f]{16}-01$`))
    const missing = await fetch(`${base}/nowhere`, { headers: { traceparent: valid } })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-`))
  })
})
