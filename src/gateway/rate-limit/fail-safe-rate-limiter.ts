/**
 * A shared {@link RateLimiter} (Redis) with a decided behaviour while its
 * store is unreachable (an error of kind `unavailable`):
 *
 * - `open` (the default): decide with this process's own buckets. A client
 *   is then limited per gateway rather than across them — at most N times
 *   its limit with N gateways, never less than it — so an outage of the
 *   limit store neither takes the API down (no 5xx) nor leaves one gateway
 *   unprotected.
 * - `closed`: refuse with 503 `AION_RATE_LIMIT_UNAVAILABLE` and
 *   `Retry-After`, for deployments where exceeding a quota is worse than
 *   refusing (billing, abuse).
 *
 * Either way each such decision is counted ({@link failures}) and logged at
 * most once per `logIntervalMs` (with how many decisions it stands for), and
 * the first shared decision after an outage logs the recovery: the store's
 * client reconnects by itself, so nothing needs a restart.
 */
import type { RateLimitDecision, RateLimiter, RateLimitRule } from '../../core/edge-state/index.js'
import { AionError, RateLimitUnavailableError } from '../../core/errors/index.js'
import { MemoryRateLimiter } from './memory-rate-limiter.js'

/** What rate limits do while their shared store is unreachable. */
export type RateLimitFailMode = 'open' | 'closed'

/** The log lines {@link FailSafeRateLimiter} writes (a pino logger serves). */
export interface OutageLogger {
  warn(fields: Record<string, unknown>, message: string): void
  info(fields: Record<string, unknown>, message: string): void
}

/** Options of {@link FailSafeRateLimiter}. */
export interface FailSafeRateLimiterOptions {
  /** The limiter every gateway shares. */
  readonly shared: RateLimiter
  /** @default 'open' */
  readonly mode?: RateLimitFailMode
  readonly logger: OutageLogger
  /** This process's buckets, used while the shared store is unreachable in `open` mode. @default a new MemoryRateLimiter */
  readonly local?: MemoryRateLimiter
  /** Fewest milliseconds between two outage log lines. @default 10000 */
  readonly logIntervalMs?: number
  /** `Retry-After` of a refusal in `closed` mode, in seconds. @default 1 */
  readonly retryAfterSeconds?: number
  /** Clock, for the log interval. @default performance.now */
  readonly nowMs?: () => number
}

/** The shared limiter, with a fallback decided by {@link RateLimitFailMode}. */
export class FailSafeRateLimiter implements RateLimiter {
  readonly mode: RateLimitFailMode
  readonly #shared: RateLimiter
  readonly #local: MemoryRateLimiter
  readonly #logger: OutageLogger
  readonly #logIntervalMs: number
  readonly #retryAfterSeconds: number
  readonly #nowMs: () => number
  #failures = 0
  /** Set while the store is unreachable: when the last line was logged and what it has not told yet. */
  #outage: { loggedAtMs: number; unlogged: number; total: number } | undefined

  constructor(options: FailSafeRateLimiterOptions) {
    this.#shared = options.shared
    this.mode = options.mode ?? 'open'
    this.#logger = options.logger
    this.#local = options.local ?? new MemoryRateLimiter()
    this.#logIntervalMs = options.logIntervalMs ?? 10_000
    this.#retryAfterSeconds = options.retryAfterSeconds ?? 1
    this.#nowMs = options.nowMs ?? (() => performance.now())
  }

  /** Decisions made without the shared store since this process started. */
  get failures(): number {
    return this.#failures
  }

  async consume(key: string, rule: RateLimitRule, tenantId?: string): Promise<RateLimitDecision> {
    let decision: RateLimitDecision
    try {
      decision = await this.#shared.consume(key, rule, tenantId)
    } catch (error) {
      if (!(error instanceof AionError) || error.kind !== 'unavailable') throw error
      return this.#withoutStore(key, rule, error)
    }
    if (this.#outage !== undefined) this.#recovered()
    return decision
  }

  /** Stops the local buckets' sweep timer. */
  close(): void {
    this.#local.close()
  }

  #withoutStore(key: string, rule: RateLimitRule, error: AionError): RateLimitDecision {
    this.#failures++
    this.#noteOutage(error)
    if (this.mode === 'closed') {
      throw new RateLimitUnavailableError(
        { retryAfterSeconds: this.#retryAfterSeconds },
        { cause: error },
      )
    }
    return this.#local.consumeNow(key, rule)
  }

  #noteOutage(error: AionError): void {
    const now = this.#nowMs()
    const outage = this.#outage
    if (outage !== undefined) {
      outage.unlogged++
      outage.total++
      if (now - outage.loggedAtMs < this.#logIntervalMs) return
    }
    const decisions = outage === undefined ? 1 : outage.unlogged
    this.#outage = { loggedAtMs: now, unlogged: 0, total: outage?.total ?? 1 }
    this.#logger.warn(
      { err: error, failMode: this.mode, decisions, failuresTotal: this.#failures },
      this.mode === 'open'
        ? "rate limits: their shared store is unreachable; limiting with this process's buckets (fail-open)"
        : 'rate limits: their shared store is unreachable; refusing with 503 (fail-closed)',
    )
  }

  #recovered(): void {
    const decisions = this.#outage?.total ?? 0
    this.#outage = undefined
    this.#logger.info(
      { failMode: this.mode, decisions },
      'rate limits: their shared store answers again',
    )
  }
}
