/**
 * The IETF rate-limit header fields (draft-ietf-httpapi-ratelimit-headers):
 * `RateLimit-Policy: "per-ip";q=120;w=60` names each policy with its quota
 * and window; `RateLimit: "per-ip";r=119;t=1` gives what remains and the
 * seconds until the quota is whole again. A route under two limits lists both.
 */
import type { FastifyReply } from 'fastify'
import type { RateLimitDecision, RateLimitRule } from './rate-limiter.js'

/**
 * `"name";q=<burst>;w=<seconds>`. A token bucket is stated as the quota
 * `burst` over the time it takes to refill it, which is also the long-run
 * rate (`burst / w` = `perMinute / 60`).
 */
export function policyItem(name: string, rule: RateLimitRule): string {
  const windowSeconds = Math.max(1, Math.ceil((rule.burst * 60) / rule.perMinute))
  return `"${name}";q=${rule.burst};w=${windowSeconds}`
}

/** `"name";r=<remaining>;t=<seconds until full>`. */
export function limitItem(name: string, decision: RateLimitDecision): string {
  return `"${name}";r=${decision.remaining};t=${Math.ceil(decision.resetMs / 1000)}`
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
