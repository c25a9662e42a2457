/* Generated from contracts/schemas/intents.schema.json by `npm run contracts:gen`. Do not edit. */
import type { Route, Tier } from './routing-decision.js'
import type { PrivacyMode, RequestedRoute } from './task-request.js'

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
  default_route: RequestedRoute
  /**
   * The routes this intent may take.
   *
   * @minItems 1
   */
  candidates: Route[]
  /**
   * local-only: the payload never leaves the host; allow-api: cloud models allowed; hybrid: cloud models only on data a local redaction step has processed.
   */
  privacy: PrivacyMode
  /**
   * Model tiers (keys of models.yml `tiers`) this intent may use; empty when only modules serve it.
   */
  tiers_allowed: Tier[]
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
