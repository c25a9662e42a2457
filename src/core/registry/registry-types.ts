/**
 * Types of a loaded registry set, derived from the types generated from the
 * contract schemas (`npm run contracts:gen`) so the two cannot drift. Field
 * names keep the files' snake_case; optional policies that carry a default in
 * the schema are filled in (see `buildRegistrySet`).
 */
import type * as Contract from '../../../contracts/generated/index.js'
import type { RegistryIssue } from '../errors/index.js'

export type { RegistryIssue }

/** The four registry files, in the fixed order used for hashing and reporting. */
export const registryFileNames = [
  'intents.yml',
  'policies.yml',
  'models.yml',
  'modules.yml',
] as const

/** One registry file, by its canonical name (a `.yaml` file is reported under its own name). */
export type RegistryFileName = (typeof registryFileNames)[number]

/** Readonly all the way down: a loaded set is frozen. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T

/** A concrete route. */
export type Route = Contract.Route

/** One intent of intents.yml (the generated schema type, frozen). */
export type IntentSpec = DeepReadonly<Contract.IntentSpec>

/** A route or `auto` (the router chooses). */
export type RouteChoice = IntentSpec['default_route']

/** Privacy mode of an intent; see DESIGN.md "Privacy modes". */
export type PrivacyMode = IntentSpec['privacy']

/** A model provider. */
export type ProviderName = Contract.PoliciesRegistryProvider

/** Providers whose models run on the host (tier `local` lists). */
export const localProviders: readonly ProviderName[] = ['ollama', 'vllm']

/** intents.yml: intents by name. */
export type IntentsRegistry = Readonly<Record<string, IntentSpec>>

type SchemaPolicies = DeepReadonly<Contract.PoliciesRegistry>

/** Rate limits of policies.yml, defaults filled in (60, 120, 120). */
export type RateLimits = Required<NonNullable<SchemaPolicies['rate_limits']>>

/** policies.yml, defaults filled in. */
export interface PoliciesRegistry extends Omit<SchemaPolicies, 'routing' | 'rate_limits'> {
  readonly routing: SchemaPolicies['routing'] & {
    /** @default 300 */
    readonly llm_router_timeout_ms: number
  }
  readonly rate_limits: RateLimits
}

/** A tier of models.yml: local models or cloud models, never both (the schema's maxProperties). */
export type ModelTier =
  | { readonly local: readonly string[]; readonly cloud?: never }
  | { readonly cloud: readonly string[]; readonly local?: never }

type Assert<T extends true> = T
/** Compile-time proof that the narrower tier type still fits the schema's. */
export type _ModelTierFitsSchema = Assert<
  ModelTier extends DeepReadonly<Contract.ModelTier> ? true : false
>

/** One model of models.yml, by `provider:model` ref. */
export type ModelSpec = DeepReadonly<Contract.ModelSpec>

/** models.yml. */
export interface ModelsRegistry {
  readonly tiers: Readonly<Record<string, ModelTier>>
  readonly models: Readonly<Record<string, ModelSpec>>
}

/** One module of modules.yml. */
export type ModuleEntry = DeepReadonly<Contract.ModuleEntry>

/** What a pipeline's model step may use: `any`, a `provider:model` ref, or `{tier, placement}`. */
export type PipelineModelSelector = DeepReadonly<Contract.PipelineModelSelector>

/** One step of a pipeline: exactly one of `module`, `redact`, `model` (the schema's min/maxProperties). */
export type PipelineStep =
  | { readonly module: string; readonly redact?: never; readonly model?: never }
  | { readonly redact: string; readonly module?: never; readonly model?: never }
  | { readonly model: PipelineModelSelector; readonly module?: never; readonly redact?: never }

/** Compile-time proof that the narrower step type still fits the schema's. */
export type _PipelineStepFitsSchema = Assert<
  PipelineStep extends DeepReadonly<Contract.PipelineStepSpec> ? true : false
>

/** One pipeline of modules.yml. */
export interface PipelineEntry extends Omit<DeepReadonly<Contract.PipelineEntry>, 'steps'> {
  readonly steps: readonly PipelineStep[]
}

/** modules.yml, `pipelines` filled in (empty when absent). */
export interface ModulesRegistry {
  readonly modules: readonly ModuleEntry[]
  readonly pipelines: readonly PipelineEntry[]
}

/** A complete, validated registry set; deeply frozen. */
export interface RegistrySet {
  readonly intents: IntentsRegistry
  readonly policies: PoliciesRegistry
  readonly models: ModelsRegistry
  readonly modules: ModulesRegistry
  /**
   * sha256 (hex) over the four files' texts exactly as in `sources`, in the
   * order of {@link registryFileNames}, each framed by its canonical name and
   * length. Whitespace and comments count: any edit gives a new hash.
   */
  readonly contentHash: string
  /** The raw text of each file, as read, to store a version. */
  readonly sources: Readonly<Record<RegistryFileName, string>>
}

/** The outcome of loading a registry set: the whole set, or every issue found. */
export type RegistryLoadResult =
  | { readonly ok: true; readonly set: RegistrySet }
  | { readonly ok: false; readonly issues: readonly RegistryIssue[] }

/**
 * Registry file contents in memory, by canonical name. A string is the text;
 * bytes are decoded as strict UTF-8. A missing entry is a missing file.
 */
export type RegistrySources = Partial<Record<RegistryFileName, string | Uint8Array>>
