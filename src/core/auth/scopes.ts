/**
 * The scopes a credential can hold, each a superset of the one before it:
 *
 * - `tasks:write`, `tasks:read` — submit, cancel, read and stream the
 *   tenant's own tasks.
 * - `admin` — a tenant's own administrator: the tasks scopes, and the
 *   tenant's own events and API keys (and, as routes come, its usage). Never
 *   another tenant's data, never what all tenants share.
 * - `operator` — the platform's operator: everything `admin` holds, across
 *   every tenant, and what all tenants share: the registry set (policy
 *   reload, versions, rollback), module installs, metrics.
 */
export const scopes = ['tasks:write', 'tasks:read', 'admin', 'operator'] as const

/** One of {@link scopes}. */
export type Scope = (typeof scopes)[number]

/** Whether the text names a known scope. */
export function isScope(text: string): text is Scope {
  return (scopes as readonly string[]).includes(text)
}

/**
 * Whether a credential holding `held` may act under `needed`: `operator`
 * grants every scope, `admin` every scope but `operator`.
 */
export function hasScope(held: readonly string[], needed: Scope): boolean {
  if (held.includes(needed) || held.includes('operator')) return true
  return needed !== 'operator' && held.includes('admin')
}

/** Whether the credential is the platform operator's (sees every tenant). */
export function isOperator(held: readonly string[]): boolean {
  return held.includes('operator')
}

/** The scopes a new key gets when none are named. */
export const defaultKeyScopes: readonly Scope[] = ['tasks:write', 'tasks:read']
