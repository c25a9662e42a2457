/* Generated from contracts/schemas/policies.schema.json by `npm run contracts:gen`. Do not edit. */
import type { Route } from './routing-decision.js'
import type { IntentName } from './task-request.js'

/**
 * This interface was referenced by `PoliciesRegistry`'s JSON-Schema
 * via the `definition` "latencyMs".
 */
export type PoliciesRegistryLatencyMs = number
/**
 * This interface was referenced by `PoliciesRegistry`'s JSON-Schema
 * via the `definition` "provider".
 */
export type PoliciesRegistryProvider = 'ollama' | 'vllm' | 'openai' | 'azure' | 'hf'

/**
 * policies.yml: budget, latency targets, privacy, provider allow/deny lists, routing fallbacks and rate limits.
 */
export interface PoliciesRegistry {
  budget: {
    /**
     * Budget of a task that names none, in USD; at most `hard_cap_usd`.
     */
    default_usd: number
    /**
     * No task may spend more than this, in USD, whatever it asks for.
     */
    hard_cap_usd: number
    /**
     * Most a tenant may spend on model calls per UTC day, in USD, reserved before each call and settled after it; absent means no daily cap. Zero-cost (local) engines are never blocked by it.
     */
    tenant_daily_cap_usd?: number
  }
  latency: {
    /**
     * p95 latency targets per route, in milliseconds.
     */
    p95_ms: {
      local: PoliciesRegistryLatencyMs
      api: PoliciesRegistryLatencyMs
      hybrid: PoliciesRegistryLatencyMs
    }
  }
  privacy: {
    /**
     * Intents (of intents.yml, each with privacy local-only) whose payload never leaves the host.
     */
    local_only_intents: IntentName[]
  }
  providers: {
    /**
     * Providers the router may use.
     */
    allow: PoliciesRegistryProvider[]
    /**
     * Providers the router must never use; deny wins over allow.
     */
    deny: PoliciesRegistryProvider[]
  }
  routing: {
    /**
     * Routes tried, in order, when the chosen route fails.
     *
     * @minItems 1
     */
    fallback_order: Route[]
    /**
     * Model (a key of models.yml `models`) of the optional LLM router; absent means rules only.
     */
    router_model?: string
    /**
     * Time the LLM router may take before the rules decide alone, in milliseconds.
     */
    llm_router_timeout_ms?: number
  }
  rate_limits?: {
    /**
     * Requests per minute per API key.
     */
    per_credential_per_min?: number
    /**
     * Token-bucket burst per API key.
     */
    burst?: number
    /**
     * Requests per minute per client IP.
     */
    per_ip_per_min?: number
  }
}
