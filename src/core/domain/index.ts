/**
 * The platform's domain types that every room speaks of: who asks, the
 * policy versions they change, the JSON values tasks carry.
 */
export type { Actor } from './actor.js'
export type { JsonObject, JsonValue } from './json-value.js'
export type { PolicyVersion } from './policy-version.js'
