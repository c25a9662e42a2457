/** The scopes a credential can hold. `admin` implies every other scope. */
export const scopes = ['tasks:write', 'tasks:read', 'admin'] as const

/** One of {@link scopes}. */
export type Scope = (typeof scopes)[number]

/** Whether the text names a known scope. */
export function isScope(text: string): text is Scope {
  return (scopes as readonly string[]).includes(text)
}

/** Whether a credential holding `held` may act under `needed` (`admin` grants all). */
export function hasScope(held: readonly string[], needed: Scope): boolean {
  return held.includes(needed) || held.includes('admin')
}

/** The scopes a new key gets when none are named. */
export const defaultKeyScopes: readonly Scope[] = ['tasks:write', 'tasks:read']
