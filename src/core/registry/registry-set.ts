/**
 * Building the frozen {@link RegistrySet} from validated data: defaults
 * filled in, the content hash computed over the raw texts.
 */
import { createHash } from 'node:crypto'
import {
  registryFileNames,
  type IntentsRegistry,
  type ModelsRegistry,
  type ModulesRegistry,
  type PoliciesRegistry,
  type RateLimits,
  type RegistryFileName,
  type RegistrySet,
} from './registry-types.js'

/** Defaults of the optional policies, as the policies schema states them. */
export const policyDefaults = {
  llmRouterTimeoutMs: 300,
  rateLimits: { per_credential_per_min: 60, burst: 120, per_ip_per_min: 120 },
} as const satisfies { llmRouterTimeoutMs: number; rateLimits: RateLimits }

/**
 * sha256 (hex) over the texts in {@link registryFileNames} order, each framed
 * as `name \n byteLength \n text \n`, so no two different sets can collide by
 * moving bytes between files. The raw text counts, comments and whitespace
 * included: simple, and honest about what was stored.
 */
export function registryContentHash(sources: Readonly<Record<RegistryFileName, string>>): string {
  const hash = createHash('sha256')
  for (const name of registryFileNames) {
    const text = sources[name]
    hash.update(`${name}\n${Buffer.byteLength(text)}\n`)
    hash.update(text)
    hash.update('\n')
  }
  return hash.digest('hex')
}

type ValidData = Readonly<Record<RegistryFileName, unknown>>

/** Builds the set from data that passed every check. */
export function buildRegistrySet(
  data: ValidData,
  sources: Readonly<Record<RegistryFileName, string>>,
): RegistrySet {
  const policies = data['policies.yml'] as PoliciesRegistry
  const modules = data['modules.yml'] as Omit<ModulesRegistry, 'pipelines'> & {
    readonly pipelines?: ModulesRegistry['pipelines']
  }
  const resolved: PoliciesRegistry = {
    ...policies,
    routing: {
      ...policies.routing,
      llm_router_timeout_ms:
        policies.routing.llm_router_timeout_ms ?? policyDefaults.llmRouterTimeoutMs,
    },
    rate_limits: { ...policyDefaults.rateLimits, ...policies.rate_limits },
  }
  return deepFreeze({
    intents: data['intents.yml'] as IntentsRegistry,
    policies: resolved,
    models: data['models.yml'] as ModelsRegistry,
    modules: { ...modules, pipelines: modules.pipelines ?? [] },
    contentHash: registryContentHash(sources),
    sources: { ...sources },
  })
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
