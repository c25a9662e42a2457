/**
 * Where each key lives in Redis: `<prefix>tenant:<tenant>:<area>:<key>` for
 * what belongs to a tenant, `<prefix>global:<area>:<key>` for what applies
 * before a tenant is known (per client IP). Tenant ids are URI-encoded so
 * that a `:` in one cannot reach into another tenant's keys; a tenant's keys
 * are all under one pattern (`SCAN MATCH aion:tenant:acme:*`).
 */

/** The areas the platform keeps in Redis. */
export type RedisKeyArea = 'rl' | 'idem'

/** Builds namespaced keys. */
export class RedisKeys {
  constructor(
    /** Start of every key. @default 'aion:' */
    readonly prefix = 'aion:',
  ) {}

  /** A key of `tenantId`'s, or a global one when the tenant is undefined. */
  of(tenantId: string | undefined, area: RedisKeyArea, key: string): string {
    return tenantId === undefined
      ? `${this.prefix}global:${area}:${key}`
      : `${this.prefix}tenant:${encodeURIComponent(tenantId)}:${area}:${key}`
  }
}
