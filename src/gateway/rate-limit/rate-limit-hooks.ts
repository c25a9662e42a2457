/**
 * Hooks that take a token per request, per client IP and per credential,
 * under limits read on every request (policies.yml `rate_limits`, which a
 * policy reload replaces). Every response of a limited route carries the
 * `RateLimit`/`RateLimit-Policy` fields; past the burst → 429
 * `AION_RATE_LIMITED` with `Retry-After`.
 *
 * ```ts
 * const limits = createRateLimitHooks({ limiter, limits: () => registries.policies.rate_limits })
 * app.post('/v1/tasks', { onRequest: [limits.limitByIp, auth.authenticate, limits.limitByCredential] }, handler)
 * ```
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { RateLimitedError } from '../../core/errors/index.js'
import type { RateLimits } from '../../core/registry/index.js'
import { actorOf, type RequestHook } from '../auth/index.js'
import { appendRateLimitHeaders, resetSeconds } from './rate-limit-headers.js'
import type { RateLimiter, RateLimitRule } from '../../core/edge-state/index.js'

/** Options of {@link createRateLimitHooks}. */
export interface RateLimitHookOptions {
  readonly limiter: RateLimiter
  /** The limits now in force, read on every request. */
  readonly limits: () => RateLimits
}

/** The hooks {@link createRateLimitHooks} returns. */
export interface RateLimitHooks {
  /** Limits by client IP (`request.ip`: honours the trust-proxy setting). Place it first. */
  readonly limitByIp: RequestHook
  /** Limits by the authenticated credential. Place it after `authenticate`. */
  readonly limitByCredential: RequestHook
}

/** The bucket rules the policies' `rate_limits` stand for. */
export interface RateLimitRules {
  readonly perIp: RateLimitRule
  readonly perCredential: RateLimitRule
}

/** Per IP the burst equals the per-minute rate: policies.yml has no separate IP burst. */
export function rateLimitRules(limits: RateLimits): RateLimitRules {
  return {
    perIp: { perMinute: limits.per_ip_per_min, burst: limits.per_ip_per_min },
    perCredential: { perMinute: limits.per_credential_per_min, burst: limits.burst },
  }
}

/** Builds the two hooks over one limiter. */
export function createRateLimitHooks(options: RateLimitHookOptions): RateLimitHooks {
  const { limiter } = options
  // The limits object is replaced, not mutated, on reload: recompute only when it changes.
  let seen: RateLimits | undefined
  let rules: RateLimitRules | undefined
  const currentRules = (): RateLimitRules => {
    const limits = options.limits()
    if (limits !== seen || rules === undefined) {
      seen = limits
      rules = rateLimitRules(limits)
    }
    return rules
  }

  const take = async (
    reply: FastifyReply,
    name: 'per-ip' | 'per-credential',
    key: string,
    rule: RateLimitRule,
    tenantId?: string,
  ) => {
    const decision = await limiter.consume(key, rule, tenantId)
    appendRateLimitHeaders(reply, name, rule, decision)
    if (decision.allowed) return
    const retryAfterSeconds = resetSeconds(decision)
    void reply.header('retry-after', String(retryAfterSeconds))
    throw new RateLimitedError({ limit: name, retryAfterSeconds })
  }

  return {
    limitByIp: async function limitByIp(request: FastifyRequest, reply: FastifyReply) {
      await take(reply, 'per-ip', `ip:${request.ip}`, currentRules().perIp)
    },
    limitByCredential: async function limitByCredential(request, reply) {
      const actor = actorOf(request)
      const key = `cred:${actor.tenantId}:${actor.kind}:${actor.id}`
      await take(reply, 'per-credential', key, currentRules().perCredential, actor.tenantId)
    },
  }
}
