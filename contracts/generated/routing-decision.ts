/* Generated from contracts/schemas/routing-decision.schema.json by `npm run contracts:gen`. Do not edit. */

/**
 * Where a task runs: `local` (tier0 model or local module), `api` (cloud model), `hybrid` (pipeline of local module steps around a model step).
 *
 * This interface was referenced by `RoutingDecision`'s JSON-Schema
 * via the `definition` "route".
 */
export type Route = 'local' | 'api' | 'hybrid'
/**
 * What kind of engine serves the task.
 *
 * This interface was referenced by `RoutingDecision`'s JSON-Schema
 * via the `definition` "engine_kind".
 */
export type EngineKind = 'model' | 'module' | 'pipeline'
/**
 * A model tier: a key of models.yml `tiers` (`tier0` local, `tier1` cloud-standard, `tier2` cloud-premium, …).
 *
 * This interface was referenced by `RoutingDecision`'s JSON-Schema
 * via the `definition` "tier".
 */
export type Tier = string
/**
 * A stable upper-snake reason code.
 *
 * This interface was referenced by `RoutingDecision`'s JSON-Schema
 * via the `definition` "reason_code".
 */
export type ReasonCode = string
/**
 * Who made the final choice: `rules` (deterministic) or `llm` (the LLM router ranked candidates the rules allowed).
 */
export type DecidedBy = 'rules' | 'llm'

/**
 * What the router decided for one task: the route, the engine that serves it, why, what it is expected to cost, and what to try next if it fails. Both the deterministic rules and the optional LLM router produce this shape; an LLM answer that does not match it is discarded and the rules decide. Self-contained (no external $ref) so it can be handed to a model as a structured-output schema. Owns the route, tier and engine definitions the other contracts reuse.
 */
export interface RoutingDecision {
  route: Route
  engine: Engine
  tier: Tier
  /**
   * Stable upper-snake codes for every rule that shaped the decision, most decisive first (e.g. PRIVACY_LOCAL_ONLY, BUDGET_CAP, LATENCY_TARGET, PROVIDER_DENIED, CIRCUIT_OPEN, LLM_RANKED).
   *
   * @minItems 1
   * @maxItems 32
   */
  reason_codes: ReasonCode[]
  estimates: RoutingEstimates
  /**
   * Ordered alternatives to try when the chosen engine fails or is unavailable; each obeys the same privacy and budget rules as the choice. Empty when there is none.
   *
   * @maxItems 16
   */
  fallbacks: RoutingFallback[]
  decided_by: DecidedBy
  /**
   * Human-readable note on how the decision was reached, e.g. why the LLM router was skipped or overruled (`llm router timed out after 300 ms; rules decided`).
   */
  decider_note?: string
  /**
   * Version number of the registry set (intents, policies, models, modules) the decision was made under.
   */
  registry_version: number
}
/**
 * The engine that serves (or served) a task. A `model` engine names its provider and model; a `module` engine names the AIP package and its version; a `pipeline` names the pipeline and, when it has a model step, that step's provider and model. Fields that do not apply are omitted, never null.
 *
 * This interface was referenced by `RoutingDecision`'s JSON-Schema
 * via the `definition` "engine".
 */
export interface Engine {
  kind: EngineKind
  /**
   * Engine name: the registry id of a model (`openai:gpt-4.1-mini`), a module name (`summarize_text`) or a pipeline name.
   */
  name: string
  /**
   * Semantic version of a module or pipeline.
   */
  version?: string
  /**
   * Model provider (`ollama`, `vllm`, `openai`, `azure`, `hf`, …).
   */
  provider?: string
  /**
   * Provider-side model name (`qwen2.5`, `gpt-4.1-mini`).
   */
  model?: string
  tier?: Tier
}
/**
 * What the chosen engine is expected to consume.
 *
 * This interface was referenced by `RoutingDecision`'s JSON-Schema
 * via the `definition` "estimates".
 */
export interface RoutingEstimates {
  /**
   * Estimated prompt tokens (0 for modules).
   */
  input_tokens: number
  /**
   * Estimated completion tokens (0 for modules).
   */
  output_tokens: number
  /**
   * Estimated cost in US dollars.
   */
  cost_usd: number
  /**
   * Estimated wall-clock latency in milliseconds.
   */
  latency_ms: number
}
/**
 * One alternative to try, in order.
 *
 * This interface was referenced by `RoutingDecision`'s JSON-Schema
 * via the `definition` "fallback".
 */
export interface RoutingFallback {
  route: Route
  engine: Engine
  tier: Tier
}
