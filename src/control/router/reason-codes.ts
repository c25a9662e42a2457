/**
 * The stable reason codes the router writes into decisions and into
 * AION_ROUTER_NO_ROUTE. Codes are never renamed or reused; add new ones.
 */
export const ReasonCode = {
  /** The payload never leaves the host: only modules and local models. */
  PRIVACY_LOCAL_ONLY: 'PRIVACY_LOCAL_ONLY',
  /** Cloud models only inside a pipeline, after local redaction. */
  PRIVACY_HYBRID: 'PRIVACY_HYBRID',
  /** The client named the route. */
  ROUTE_REQUESTED: 'ROUTE_REQUESTED',
  /** `auto`: the intent's default route. */
  ROUTE_DEFAULT: 'ROUTE_DEFAULT',
  /** `auto` on an intent whose default is `auto`: routes by `routing.fallback_order`. */
  ROUTE_FALLBACK_ORDER: 'ROUTE_FALLBACK_ORDER',
  /** The preferred route had no eligible engine; a later route serves. */
  PRIMARY_ROUTE_UNAVAILABLE: 'PRIMARY_ROUTE_UNAVAILABLE',
  /** A local module that declares the intent serves it. */
  MODULE_DECLARES_INTENT: 'MODULE_DECLARES_INTENT',
  /** A model of a tier the intent allows serves it. */
  TIER_ALLOWED: 'TIER_ALLOWED',
  /** A pipeline redacts locally right before its model step. */
  PIPELINE_REDACTS_FIRST: 'PIPELINE_REDACTS_FIRST',
  /** A pipeline of modules.yml declared for the intent serves it. */
  PIPELINE_DECLARES_INTENT: 'PIPELINE_DECLARES_INTENT',
  /** A module step of a pipeline names a module that is not installed. */
  PIPELINE_MODULE_UNAVAILABLE: 'PIPELINE_MODULE_UNAVAILABLE',
  /** No model the intent allows matches the pipeline's model step. */
  PIPELINE_NO_MODEL: 'PIPELINE_NO_MODEL',
  /** The request's budget was above the hard cap and was lowered to it. */
  BUDGET_CLAMPED: 'BUDGET_CLAMPED',
  /** The estimated cost fits the budget. */
  BUDGET_WITHIN_LIMIT: 'BUDGET_WITHIN_LIMIT',
  /** An engine's estimated cost is above min(budget, hard cap). */
  BUDGET_EXCEEDED: 'BUDGET_EXCEEDED',
  /** The latency target reordered the engines: a faster one was preferred. */
  LATENCY_TARGET: 'LATENCY_TARGET',
  /** No eligible engine of the route is expected to meet the latency target. */
  LATENCY_TARGET_MISSED: 'LATENCY_TARGET_MISSED',
  PROVIDER_DENIED: 'PROVIDER_DENIED',
  PROVIDER_NOT_ALLOWED: 'PROVIDER_NOT_ALLOWED',
  PROVIDER_NOT_CONFIGURED: 'PROVIDER_NOT_CONFIGURED',
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  /** Estimated input plus output tokens exceed the model's context window. */
  CONTEXT_TOO_SMALL: 'CONTEXT_TOO_SMALL',
  /** A pipeline's redact step names a module that is not installed or does not serve `redact_pii`. */
  REDACTOR_UNAVAILABLE: 'REDACTOR_UNAVAILABLE',
  /**
   * A model of a local tier whose endpoint is not on the premises (outside
   * AION_LOCAL_NETWORKS): the payload would leave, so privacy refused it.
   */
  ENDPOINT_NOT_LOCAL: 'ENDPOINT_NOT_LOCAL',
  /** The module needs a GPU and none that fits its policy is free now. */
  GPU_UNAVAILABLE: 'GPU_UNAVAILABLE',
  /** A name or version that the routing-decision contract cannot carry. */
  ENGINE_NAME_UNSUPPORTED: 'ENGINE_NAME_UNSUPPORTED',
  /** The LLM router ranked the candidates the rules allowed. */
  LLM_RANKED: 'LLM_RANKED',
  LLM_ROUTER_TIMEOUT: 'LLM_ROUTER_TIMEOUT',
  LLM_ROUTER_ERROR: 'LLM_ROUTER_ERROR',
  LLM_ROUTER_INVALID: 'LLM_ROUTER_INVALID',
} as const

export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode]
