/**
 * What the router decides from, and the port the orchestrator calls. The
 * rules are deterministic; an optional LLM router may rank the candidates
 * the rules allow, never add one.
 */
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import type { PrivacyMode, RequestedRoute } from '../../../contracts/generated/index.js'
import type { RegistrySet } from '../../core/registry/index.js'

/** The features of one request that routing looks at. */
export interface RoutingFeatures {
  readonly tenantId: string
  readonly intent: string
  readonly requestedRoute: RequestedRoute
  /** The intent's privacy tightened by the request's (never loosened). */
  readonly privacy: PrivacyMode
  /** The request's budget, else policies' default; never above the hard cap. */
  readonly budgetUsd: number
  readonly maxLatencyMs?: number
  readonly inputBytes: number
  readonly estimatedInputTokens: number
  readonly estimatedOutputTokens: number
  readonly piiDetected: boolean
}

/** Live state of engines the router weighs: circuits, observed latency, local modules. */
export interface EngineState {
  /** True while the provider's circuit is open (calls fail fast). */
  isCircuitOpen(provider: string): boolean
  /** Observed p95 latency of an engine (`openai:gpt-4.1-mini`, `summarize_text`), if known. */
  observedLatencyMs(engine: string): number | undefined
  /** Providers configured in settings (a provider without configuration cannot be called). */
  isProviderConfigured(provider: string): boolean
  /**
   * Whether a model of `provider` served at `endpoint` (models.yml; the
   * provider's base URL when undefined) is on the premises, as configured:
   * the static view; the provider's connect-time check is the enforcement.
   */
  isOnPremises(provider: string, endpoint: string | undefined): boolean
  /** Local modules available, by name, with the intents each declares. */
  modules(): ReadonlyMap<string, { readonly version: string; readonly intents: readonly string[] }>
  /**
   * Whether the module can be placed now: false while it needs a GPU and
   * none that fits its policy is free (it is then no candidate).
   */
  isModulePlaceable(name: string): boolean
}

export interface RoutingInput {
  readonly features: RoutingFeatures
  readonly registries: RegistrySet
  readonly registryVersion: number
  readonly engines: EngineState
}

export interface Router {
  /**
   * Decides the route, engine and ordered fallbacks. Throws
   * AION_ROUTER_NO_ROUTE (with the reasons) when no engine satisfies the rules.
   * Privacy and the hard budget cap hold for the choice and every fallback.
   */
  decide(input: RoutingInput, signal?: AbortSignal): Promise<RoutingDecision>
}
