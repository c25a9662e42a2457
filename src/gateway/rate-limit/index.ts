/** Rate limits: the limiter port, its in-process token buckets, the fail-safe wrapper of a shared one, and the route hooks. */
export type { RateLimitDecision, RateLimiter, RateLimitRule } from '../../core/edge-state/index.js'
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from './memory-rate-limiter.js'
export {
  FailSafeRateLimiter,
  type FailSafeRateLimiterOptions,
  type OutageLogger,
  type RateLimitFailMode,
} from './fail-safe-rate-limiter.js'
export { appendRateLimitHeaders, limitItem, policyItem } from './rate-limit-headers.js'
export {
  createRateLimitHooks,
  rateLimitRules,
  type RateLimitHookOptions,
  type RateLimitHooks,
  type RateLimitRules,
} from './rate-limit-hooks.js'
