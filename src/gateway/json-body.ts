/**
 * The one body parser of the gateway: `application/json` only (anything else
 * is 415 `AION_REQUEST_UNSUPPORTED_MEDIA_TYPE`, a body with no content type
 * included), nested at most `maxDepth` levels. The depth is checked on the
 * raw text before it is parsed, so nothing that walks a body recursively —
 * the idempotency fingerprint, the schema validator, a log serialiser — ever
 * meets one deep enough to overflow its stack. Parsing itself is Fastify's
 * (secure-json-parse): a `__proto__` key or a `constructor.prototype` is refused.
 */
import type { FastifyInstance } from 'fastify'
import { BodyTooDeepError } from '../core/errors/index.js'

/**
 * Whether the JSON text nests arrays and objects deeper than `maxDepth`. One
 * pass with a counter, no recursion: brackets inside strings are skipped, and
 * so is the character after a backslash. On malformed text the count may be
 * off, which only decides which of two 400s answers.
 */
export function jsonDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}

/** Replaces Fastify's parsers (JSON and text/plain) with the bounded JSON parser. */
export function registerJsonBody(app: FastifyInstance, maxDepth: number): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    function parseJsonBody(request, body, done) {
      const text = body as string
      if (jsonDeeperThan(text, maxDepth)) {
        done(new BodyTooDeepError({ maxDepth }), undefined)
        return
      }
      parse(request, text, done)
    },
  )
}
