/**
 * The floor for any Node gateway: Fastify receiving a chat completion and
 * passing it to the upstream through one undici Pool, no auth, no state.
 * Started by gateway-comparison.ts; prints its URL on stdout.
 */
import Fastify from 'fastify'
import { Pool } from 'undici'

const upstream = new URL(process.argv[2] ?? '')
const pool = new Pool(upstream.origin, { connections: 128, pipelining: 1 })
const app = Fastify({ logger: false })

app.post('/v1/chat/completions', async function passThrough(request, reply) {
  const response = await pool.request({
    path: `${upstream.pathname.replace(/\/$/, '')}/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
    body: JSON.stringify(request.body),
  })
  reply.status(response.statusCode).header('content-type', 'application/json')
  return reply.send(await response.body.text())
})

const address = await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`${JSON.stringify({ url: address })}\n`)
