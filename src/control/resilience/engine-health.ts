/** The live {@link EngineState} the router weighs: circuits, observed latency, providers, modules. */
import type { ProviderName, ProviderSet } from '../../providers/model-provider.js'
import type { ModuleExecutor } from '../../runtime/module-executor.js'
import type { EngineState } from '../router/router-port.js'
import type { CircuitBreakers } from './circuit-breaker.js'
import type { LatencyTracker } from './latency-tracker.js'

type ModuleList = ReadonlyMap<
  string,
  { readonly version: string; readonly intents: readonly string[] }
>

/** Engine state over the orchestrator's breakers and latency rings. */
export function createEngineState(
  breakers: CircuitBreakers,
  latency: LatencyTracker,
  providers: ProviderSet,
  executor: ModuleExecutor,
): EngineState {
  // The installed modules change only when the executor's map does; map it once per map.
  let source: ReturnType<ModuleExecutor['modules']> | undefined
  let modules: ModuleList = new Map()
  return {
    isCircuitOpen: (provider) => breakers.isOpen(provider),
    observedLatencyMs: (engine) => latency.p95(engine),
    isProviderConfigured: (provider) => providers.has(provider as ProviderName),
    isOnPremises: (provider, endpoint) =>
      providers.get(provider as ProviderName)?.isOnPremises(endpoint) ?? false,
    isModulePlaceable: (name) => executor.placement?.(name).ok ?? true,
    modules() {
      const current = executor.modules()
      if (current !== source) {
        source = current
        modules = new Map(
          [...current].map(([name, m]) => [name, { version: m.version, intents: m.intents }]),
        )
      }
      return modules
    },
  }
}
