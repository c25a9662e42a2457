/** Who asks: an API key id or a JWT subject, with the tenant it belongs to. */
export interface Actor {
  readonly tenantId: string
  readonly kind: 'api_key' | 'jwt' | 'system'
  /** Key id (`aion_<id>_…`'s id) or JWT `sub`. */
  readonly id: string
  readonly scopes: readonly string[]
}
