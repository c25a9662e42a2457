/* Generated from contracts/schemas/modules.schema.json by `npm run contracts:gen`. Do not edit. */
import type { Tier } from './routing-decision.js'
import type { IntentName } from './task-request.js'

/**
 * `any`: any model the intent allows; a `provider:model` ref of models.yml; or `{tier, placement}`: the models of that tier, and/or only the local (ollama, vllm) or only the cloud ones.
 *
 * This interface was referenced by `ModulesRegistry`'s JSON-Schema
 * via the `definition` "model_selector".
 */
export type PipelineModelSelector =
  | string
  | {
      tier?: Tier
      placement?: 'local' | 'cloud'
    }

/**
 * modules.yml: the AIP modules installed from an OCI registry and the intents each serves, and the pipelines (module and model steps in sequence) that serve intents.
 */
export interface ModulesRegistry {
  modules: ModuleEntry[]
  /**
   * Pipelines: steps run in sequence, each step's output feeding the next. A pipeline with a model step serves its intents on the `hybrid` route; one made only of module steps serves them on the `local` route.
   */
  pipelines?: PipelineEntry[]
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
/**
 * This interface was referenced by `ModulesRegistry`'s JSON-Schema
 * via the `definition` "pipeline".
 */
export interface PipelineEntry {
  /**
   * Pipeline name; the engine name of a pipeline with a model step is `<name>+<model ref>`.
   */
  name: string
  description?: string
  /**
   * Semantic version, carried in the engine of tasks the pipeline serves.
   */
  version?: string
  /**
   * Intents (of intents.yml) this pipeline serves.
   *
   * @minItems 1
   */
  intents: IntentName[]
  /**
   * The steps, run in order; the task's input feeds the first, the last one's output is the task's output. At most one model step.
   *
   * @minItems 1
   * @maxItems 16
   */
  steps: PipelineStepSpec[]
}
/**
 * One step, named by its one key. `module`: runs that module (of `modules`) on the data so far; its output object is the data from then on. `redact`: runs that redaction module (one serving the `redact_pii` intent, called as `{text}` → `{text, …}`) over every string of the data so far, object keys included, and puts each result's `text` in its place, keeping the data's shape; the step right before a cloud model step of a `hybrid`-privacy intent must be one. `model`: calls a model, chosen by the router among the models of the tiers the intent allows that match the selector, with the intent's prompt over the data so far; its answer (`{text}`, or the JSON object the intent asks for) is the data from then on.
 *
 * This interface was referenced by `ModulesRegistry`'s JSON-Schema
 * via the `definition` "pipeline_step".
 */
export interface PipelineStepSpec {
  module?: string
  redact?: string
  model?: PipelineModelSelector
}
