/* Generated from contracts/schemas/task-request.schema.json by `npm run contracts:gen`. Do not edit. */

/**
 * An intent name as declared in intents.yml: lower snake case, starting with a letter, at most 64 characters.
 *
 * This interface was referenced by `TaskRequest`'s JSON-Schema
 * via the `definition` "intent_name".
 */
export type IntentName = string
/**
 * The route a client asks for; `auto` lets the router choose among the intent's candidates.
 *
 * This interface was referenced by `TaskRequest`'s JSON-Schema
 * via the `definition` "requested_route".
 */
export type RequestedRoute = 'auto' | 'local' | 'api' | 'hybrid'
/**
 * Where the payload may go. From strictest: `local-only` (never leaves the host), `hybrid` (cloud only on data a local redaction step has processed), `allow-api` (cloud allowed). A request may only tighten the intent's mode, never loosen it.
 *
 * This interface was referenced by `TaskRequest`'s JSON-Schema
 * via the `definition` "privacy_mode".
 */
export type PrivacyMode = 'local-only' | 'hybrid' | 'allow-api'
/**
 * A metadata value: a short string, a number or a boolean.
 *
 * This interface was referenced by `TaskRequest`'s JSON-Schema
 * via the `definition` "metadata_value".
 */
export type MetadataValue = string | number | boolean

/**
 * A task submitted by a client (`POST /v1/tasks`, gRPC `Submit`). Unknown keys are rejected so a misspelled option never passes silently. Owns the intent-name, requested-route and privacy-mode definitions the other contracts reuse.
 */
export interface TaskRequest {
  intent: IntentName
  /**
   * The task's input. Validated later against the input schema of whatever serves the intent (a module's schema, or the intent's own for model routes).
   */
  input: {
    [k: string]: unknown
  }
  route?: RequestedRoute
  privacy?: PrivacyMode
  /**
   * Most this task may cost, in US dollars. Never raises the policy's hard cap; 0 allows only free (local) engines.
   */
  budget_usd?: number
  /**
   * Latency target in milliseconds: the router prefers engines expected to answer within it, and the task times out after it.
   */
  max_latency_ms?: number
  /**
   * When true the client intends to follow the task's event stream (`token`, `partial`, `done`, `error`); engines that can stream then emit token/partial events.
   */
  stream?: boolean
  /**
   * Client labels carried with the task into events and audit records. Small: at most 32 keys; keys up to 64 characters; values are scalars, strings up to 256 characters.
   */
  metadata?: {
    [k: string]: MetadataValue
  }
}
