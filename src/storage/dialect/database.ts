/**
 * The tables as Kysely sees them. Columns whose stored form differs by engine
 * (JSON: text vs jsonb; time: ISO text vs timestamptz; identity ids: integer
 * vs int8 strings) select as `unknown`, and the {@link Codec} reads them back.
 */
import type { ColumnType } from 'kysely'

/** JSON: written as text, read back per engine. */
type Json = ColumnType<unknown, string | null, string | null>
/** Time: written as ISO-8601 UTC with milliseconds, read back per engine. */
type Time = ColumnType<unknown, string, string>
type TimeOrNull = ColumnType<unknown, string | null, string | null>
/** `tenant_id`: defaults to `default`, never changes. */
type Tenant = ColumnType<string, string | undefined, never>
/** Identity id assigned by the database. */
type Identity = ColumnType<unknown, never, never>

export interface TasksTable {
  tenant_id: Tenant
  task_id: string
  intent: string
  status: string
  route: string | null
  engine: Json
  request: Json
  output: Json
  input_tokens: number
  output_tokens: number
  cost_usd: number
  duration_ms: number
  error: Json
  decision: Json
  trace_id: string | null
  idempotency_key: string | null
  created_at: Time
  updated_at: Time
  attempt: ColumnType<number, number | undefined, number>
  lease_owner: string | null
  lease_expires_at: TimeOrNull
}

export interface PoliciesTable {
  tenant_id: Tenant
  version: number
  content_hash: string
  sources: Json
  created_at: Time
  created_by: string
}

/** Per tenant: the last version handed out and the active one. */
export interface PolicyHeadsTable {
  tenant_id: Tenant
  latest_version: number
  active_version: number | null
}

export interface AgentsTable {
  tenant_id: Tenant
  agent_id: string
  name: string
  spec: Json
  created_at: Time
  updated_at: Time
}

export interface ModulesTable {
  tenant_id: Tenant
  name: string
  version: string
  digest: string
  runtime: string
  signer_key_id: string | null
  sbom_ref: string | null
  status: string
  reason: string | null
  manifest: Json
  created_at: Time
  updated_at: Time
}

export interface ModelsTable {
  tenant_id: Tenant
  provider: string
  name: string
  tier: string
  input_price_per_1k_usd: number
  output_price_per_1k_usd: number
  updated_at: Time
}

export interface UsageBillingTable {
  id: Identity
  tenant_id: Tenant
  task_id: string
  provider: string | null
  model: string | null
  module: string | null
  input_tokens: number
  output_tokens: number
  cost_usd: number
  duration_ms: number
  created_at: Time
}

export interface AuditActivityTable {
  id: Identity
  tenant_id: Tenant
  actor: string
  action: string
  target: string
  outcome: string
  details: Json
  at: Time
}

export interface ApiKeysTable {
  tenant_id: Tenant
  key_id: string
  secret_hash: string
  name: string
  scopes: Json
  created_at: Time
  revoked_at: TimeOrNull
  last_used_at: TimeOrNull
}

export interface IdempotencyKeysTable {
  tenant_id: Tenant
  credential: string
  key: string
  request_hash: string
  state: string
  response: Json
  created_at: Time
  expires_at: Time
  task_id: string | null
  lock_owner: string | null
  lock_expires_at: TimeOrNull
}

export interface OutboxTable {
  id: Identity
  tenant_id: Tenant
  topic: string
  key: string | null
  payload: Json
  created_at: Time
  published_at: TimeOrNull
  lease_until: TimeOrNull
  /** Who holds the lease (migration 0003); null when unclaimed or claimed anonymously. */
  lease_owner: string | null
}

/** Every table of the relational store. */
export interface Database {
  tasks: TasksTable
  policies: PoliciesTable
  policy_heads: PolicyHeadsTable
  agents: AgentsTable
  modules: ModulesTable
  models: ModelsTable
  usage_billing: UsageBillingTable
  audit_activity: AuditActivityTable
  api_keys: ApiKeysTable
  idempotency_keys: IdempotencyKeysTable
  outbox: OutboxTable
}
