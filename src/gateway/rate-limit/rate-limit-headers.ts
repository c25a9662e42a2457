/**
 * The IETF rate-limit header fields (draft-ietf-httpapi-ratelimit-headers):
 * `RateLimit-Policy: "per-ip";q=120;w=60` names each policy with its quota
 * and window; `RateLimit: "per-ip";r=119;t=1` gives what remains and the
 * seconds until the quota next grows. A token bucket gets its units back one
 * at a time, so `t` is when the next one is back: on a 429 it is the
 * `Retry-After` value, and after `r=0` on a 2xx a request sent `t` seconds
 * later passes. A route under two limits lists both.
 */
import type { FastifyReply } from 'fastify'
import type { RateLimitDecision, RateLimitRule } from '../../core/edge-state/index.js'

/**
 * `"name";q=<burst>;w=<seconds>`. A token bucket is stated as the quota
 * `burst` over the time it takes to refill it, which is also the long-run
 * rate (`burst / w` = `perMinute / 60`).
 */
export function policyItem(name: string, rule: RateLimitRule): string {
  const windowSeconds = Math.max(1, Math.ceil((rule.burst * 60) / rule.perMinute))
  return `"${name}";q=${rule.burst};w=${windowSeconds}`
}

/** `"name";r=<remaining>;t=<seconds until the next unit is back>`. */
export function limitItem(name: string, decision: RateLimitDecision): string {
  return `"${name}";r=${decision.remaining};t=${resetSeconds(decision)}`
}

/**
 * Whole seconds until the quota next grows, rounded up so that waiting them
 * is enough; the `Retry-After` of a refusal is the same number.
 */
export function resetSeconds(decision: RateLimitDecision): number {
  if (!decision.allowed) return Math.max(1, Math.ceil(decision.retryAfterMs / 1000))
  return Math.ceil(decision.resetMs / 1000)
}

/** Adds this limit's items to the reply's `RateLimit` and `RateLimit-Policy` fields. */
export function appendRateLimitHeaders(
  reply: FastifyReply,
  name: string,
  rule: RateLimitRule,
  decision: RateLimitDecision,
): void {
  append(reply, 'ratelimit-policy', policyItem(name, rule))
  append(reply, 'ratelimit', limitItem(name, decision))
}

function append(reply: FastifyReply, field: string, item: string): void {
  const current = reply.getHeader(field)
  void reply.header(field, typeof current === 'string' ? `${current}, ${item}` : item)
}
