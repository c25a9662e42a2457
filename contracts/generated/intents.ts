/* Generated from contracts/schemas/intents.schema.json by `npm run contracts:gen`. Do not edit. */

/**
 * Where a task runs: a tier0 model or local module (local), a cloud model (api), or a pipeline of local steps around a model (hybrid).
 *
 * This interface was referenced by `IntentsRegistry`'s JSON-Schema
 * via the `definition` "route".
 */
export type IntentsRegistryRoute = 'local' | 'api' | 'hybrid'

/**
 * intents.yml: every intent the platform serves, by name, with where it may run and under which privacy mode.
 */
export interface IntentsRegistry {
  [k: string]: IntentSpec
}
/**
 * This interface was referenced by `IntentsRegistry`'s JSON-Schema
 * via the `definition` "intent".
 */
export interface IntentSpec {
  description?: string
  /**
   * The route used when a task does not name one; `auto` lets the router choose among `candidates`.
   */
  default_route: 'auto' | 'local' | 'api' | 'hybrid'
  /**
   * The routes this intent may take.
   *
   * @minItems 1
   */
  candidates: IntentsRegistryRoute[]
  /**
   * local-only: the payload never leaves the host; allow-api: cloud models allowed; hybrid: cloud models only on data a local redaction step has processed.
   */
  privacy: 'local-only' | 'allow-api' | 'hybrid'
  /**
   * Model tiers (keys of models.yml `tiers`) this intent may use; empty when only modules serve it.
   */
  tiers_allowed: string[]
  /**
   * Whether tasks of this intent may read and write per-tenant vector memory.
   */
  vector_usage: boolean
  /**
   * JSON Schema (draft 2020-12) of `input` on model routes; module routes use the module's own input schema.
   */
  input_schema?: {
    [k: string]: unknown
  }
}
