/**
 * The floor for any Node gateway: Fastify receiving a chat completion and
 * passing it to the upstream through one undici Pool, no auth, no state.
 * Started by gateway-comparison.ts; prints its URL on stdout.
 */
import { servePassThrough } from './pass-through-app.js'

await servePassThrough(new URL(process.argv[2] ?? ''))
