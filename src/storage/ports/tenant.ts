/** The tenant every row belongs to while OMERTAOS runs single-tenant (DESIGN.md, Tenancy). */
export const DEFAULT_TENANT_ID = 'default'
