/**
 * The router: deterministic rules first, an optional LLM ranking on top.
 * The orchestrator calls {@link createRouter}; the rest is exported for tests
 * and tools.
 */
export type { EngineState, Router, RoutingFeatures, RoutingInput } from './router-port.js'
export { createRouter, LlmRouter, type RouterOptions } from './llm-router.js'
export {
  decideRules,
  evaluateRules,
  maxFallbacks,
  RulesRouter,
  type RulesOutcome,
} from './rules-router.js'
export { ReasonCode } from './reason-codes.js'
export { moduleTier, type Candidate } from './candidate-screen.js'
export { latencyPriors } from './latency-estimate.js'
