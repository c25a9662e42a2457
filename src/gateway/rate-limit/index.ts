/** Rate limits: the limiter port, its in-process token buckets, and the route hooks. */
export type { RateLimitDecision, RateLimiter, RateLimitRule } from './rate-limiter.js'
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from './memory-rate-limiter.js'
export { appendRateLimitHeaders, limitItem, policyItem } from './rate-limit-headers.js'
export {
  createRateLimitHooks,
  rateLimitRules,
  type RateLimitHookOptions,
  type RateLimitHooks,
  type RateLimitRules,
} from './rate-limit-hooks.js'
