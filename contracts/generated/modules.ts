/* Generated from contracts/schemas/modules.schema.json by `npm run contracts:gen`. Do not edit. */
import type { IntentName } from './task-request.js'

/**
 * modules.yml: the AIP modules installed from an OCI registry and the intents each serves.
 */
export interface ModulesRegistry {
  modules: ModuleEntry[]
}
/**
 * This interface was referenced by `ModulesRegistry`'s JSON-Schema
 * via the `definition` "module".
 */
export interface ModuleEntry {
  name: string
  description?: string
  /**
   * OCI reference of the package (`registry/repository:tag` or `@sha256:…`).
   */
  ref: string
  runtime: 'wasm' | 'subprocess'
  /**
   * Signatures the package must verify against (`cosign:…`); verification is mandatory.
   *
   * @minItems 1
   */
  signatures: string[]
  /**
   * Wall-clock limit of one call, in milliseconds.
   */
  timeout_ms: number
  limits: {
    /**
     * CPU limit in cores (`0.5`) or millicores (`500m`).
     */
    cpu: string
    /**
     * Memory limit (`256Mi`, `1Gi`).
     */
    memory: string
  }
  /**
   * Intents (of intents.yml) this module serves.
   *
   * @minItems 1
   */
  intents: IntentName[]
}
