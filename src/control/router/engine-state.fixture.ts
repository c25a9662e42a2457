/**
 * A fixed {@link EngineState} for router tests: which providers are
 * configured, which circuits are open, observed latencies and local modules.
 */
import type { EngineState, RoutingFeatures } from './router-port.js'

export interface FixedEngineStateOptions {
  /** @default every provider */
  readonly configured?: readonly string[]
  /** @default none */
  readonly openCircuits?: readonly string[]
  /** @default none */
  readonly latencyMs?: Readonly<Record<string, number>>
  /** @default the modules of config/modules.yml */
  readonly modules?: Readonly<Record<string, { version: string; intents: readonly string[] }>>
  /** Modules that need a GPU none of which is free. @default none */
  readonly unplaceable?: readonly string[]
  /** Model endpoints (models.yml `endpoint`, or `provider:` for a provider's own) off the premises. @default none */
  readonly offPremises?: readonly string[]
}

/** The modules of config/modules.yml, as a loaded runtime would report them. */
export const configModules = {
  summarize_text: { version: '1.3.0', intents: ['summarize'] },
  redact_pii: { version: '1.0.0', intents: ['redact_pii'] },
  ocr_tesseract: { version: '0.1.0', intents: ['ocr'] },
  invoice_extract: { version: '0.1.0', intents: ['invoice_fields'] },
} as const

/** An EngineState that answers from the options it was given. */
export function fixedEngineState(options: FixedEngineStateOptions = {}): EngineState {
  const modules = new Map(Object.entries(options.modules ?? configModules))
  return {
    isCircuitOpen: (provider) => options.openCircuits?.includes(provider) ?? false,
    observedLatencyMs: (engine) => options.latencyMs?.[engine],
    isProviderConfigured: (provider) => options.configured?.includes(provider) ?? true,
    isOnPremises: (provider, endpoint) =>
      !(options.offPremises?.includes(endpoint ?? `${provider}:`) ?? false),
    modules: () => modules,
    isModulePlaceable: (name) => !(options.unplaceable?.includes(name) ?? false),
  }
}

/** Features of a request for `intent`, with overrides. */
export function featuresFor(
  intent: string,
  overrides: Partial<RoutingFeatures> = {},
): RoutingFeatures {
  return {
    tenantId: 'default',
    intent,
    requestedRoute: 'auto',
    privacy: 'allow-api',
    budgetUsd: 0.02,
    inputBytes: 4000,
    estimatedInputTokens: 1000,
    estimatedOutputTokens: 256,
    piiDetected: false,
    ...overrides,
  }
}
