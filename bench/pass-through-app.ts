/**
 * The pass-through both floors share (bare-passthrough.ts, and
 * persisted-passthrough.ts, which also keeps a record before it answers):
 * Fastify receiving a chat completion and passing it to the upstream through
 * one undici Pool, no auth, no state. Prints its URL on stdout once listening.
 */
import Fastify from 'fastify'
import { Pool } from 'undici'

/** What a floor does around the call (the persisted floors write their record here). */
export interface PassThroughHooks {
  /** Before the upstream is called; what it resolves to reaches `beforeAnswer`. */
  readonly beforeCall?: ((request: unknown) => Promise<string>) | undefined
  /** After the upstream answered, before the answer goes back. */
  readonly beforeAnswer?: (request: unknown, answer: string, admitted?: string) => Promise<void>
}

export async function servePassThrough(
  upstream: URL,
  { beforeCall, beforeAnswer }: PassThroughHooks = {},
): Promise<void> {
  const pool = new Pool(upstream.origin, { connections: 128, pipelining: 1 })
  const app = Fastify({ logger: false })
  app.post('/v1/chat/completions', async function passThrough(request, reply) {
    const admitted = beforeCall ? await beforeCall(request.body) : undefined
    const response = await pool.request({
      path: `${upstream.pathname.replace(/\/$/, '')}/chat/completions`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
      body: JSON.stringify(request.body),
    })
    const answer = await response.body.text()
    if (beforeAnswer) await beforeAnswer(request.body, answer, admitted)
    reply.status(response.statusCode).header('content-type', 'application/json')
    return reply.send(answer)
  })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  process.stdout.write(`${JSON.stringify({ url: address })}\n`)
}
