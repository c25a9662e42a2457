import type { JsonValue } from './json-value.js'

/** The outcome of an audited action. */
export type AuditOutcome = 'success' | 'failure' | 'denied'

/** What was done to what, and how it ended: an audit entry before its actor and time are known. */
export interface AuditAction {
  readonly action: string
  readonly target: string
  readonly outcome: AuditOutcome
  readonly details?: { readonly [key: string]: JsonValue }
}
