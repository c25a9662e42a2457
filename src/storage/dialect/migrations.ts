/**
 * The one migration set, forward-only (no `down`): append new migrations,
 * never edit a shipped one. Written with Kysely's schema builder so one set
 * serves both engines; `columnTypes` holds the few type names that differ.
 */
import {
  sql,
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  type Migration,
} from 'kysely'
import type { StoreEngine } from '../ports/store.js'

/** Column types that differ by engine. */
interface ColumnTypes {
  readonly json: 'jsonb' | 'text'
  readonly time: 'timestamptz' | 'text'
  readonly real: 'double precision' | 'real'
}

function columnTypes(engine: StoreEngine): ColumnTypes {
  return engine === 'postgres'
    ? { json: 'jsonb', time: 'timestamptz', real: 'double precision' }
    : { json: 'text', time: 'text', real: 'real' }
}

// The schema builder is untyped by design: migrations outlive the current table types.
type AnyDb = Kysely<unknown>
type Table = CreateTableBuilder<string, string>

const notNull = (c: ColumnDefinitionBuilder) => c.notNull()

function tenantTable(db: AnyDb, name: string): Table {
  return db.schema
    .createTable(name)
    .addColumn('tenant_id', 'text', (c) => c.notNull().defaultTo('default')) as Table
}

/** An identity primary key: int8 identity on PostgreSQL, `INTEGER PRIMARY KEY AUTOINCREMENT` on SQLite. */
function withIdentity(table: Table, engine: StoreEngine): Table {
  return engine === 'postgres'
    ? table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
}

async function createTasks(db: AnyDb, t: ColumnTypes): Promise<void> {
  await tenantTable(db, 'tasks')
    .addColumn('task_id', 'text', notNull)
    .addColumn('intent', 'text', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('route', 'text')
    .addColumn('engine', t.json)
    .addColumn('request', t.json, notNull)
    .addColumn('output', t.json)
    .addColumn('input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', t.real, (c) => c.notNull().defaultTo(0))
    .addColumn('duration_ms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', t.json)
    .addColumn('decision', t.json)
    .addColumn('trace_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('created_at', t.time, notNull)
    .addColumn('updated_at', t.time, notNull)
    .addPrimaryKeyConstraint('tasks_pk', ['tenant_id', 'task_id'])
    .execute()
  await db.schema
    .createIndex('tasks_tenant_created_idx')
    .on('tasks')
    .columns(['tenant_id', 'created_at', 'task_id'])
    .execute()
  await db.schema
    .createIndex('tasks_tenant_status_created_idx')
    .on('tasks')
    .columns(['tenant_id', 'status', 'created_at', 'task_id'])
    .execute()
}

async function createPolicies(db: AnyDb, t: ColumnTypes): Promise<void> {
  await tenantTable(db, 'policies')
    .addColumn('version', 'integer', notNull)
    .addColumn('content_hash', 'text', notNull)
    .addColumn('sources', t.json, notNull)
    .addColumn('created_at', t.time, notNull)
    .addColumn('created_by', 'text', notNull)
    .addPrimaryKeyConstraint('policies_pk', ['tenant_id', 'version'])
    .execute()
  // One row per tenant: updating it serialises concurrent appends on both engines.
  await tenantTable(db, 'policy_heads')
    .addColumn('latest_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active_version', 'integer')
    .addPrimaryKeyConstraint('policy_heads_pk', ['tenant_id'])
    .execute()
}

async function createCatalog(db: AnyDb, t: ColumnTypes): Promise<void> {
  await tenantTable(db, 'agents')
    .addColumn('agent_id', 'text', notNull)
    .addColumn('name', 'text', notNull)
    .addColumn('spec', t.json, notNull)
    .addColumn('created_at', t.time, notNull)
    .addColumn('updated_at', t.time, notNull)
    .addPrimaryKeyConstraint('agents_pk', ['tenant_id', 'agent_id'])
    .execute()
  await tenantTable(db, 'modules')
    .addColumn('name', 'text', notNull)
    .addColumn('version', 'text', notNull)
    .addColumn('digest', 'text', notNull)
    .addColumn('runtime', 'text', notNull)
    .addColumn('signer_key_id', 'text')
    .addColumn('sbom_ref', 'text')
    .addColumn('status', 'text', notNull)
    .addColumn('reason', 'text')
    .addColumn('manifest', t.json)
    .addColumn('created_at', t.time, notNull)
    .addColumn('updated_at', t.time, notNull)
    .addPrimaryKeyConstraint('modules_pk', ['tenant_id', 'name', 'version'])
    .execute()
  await tenantTable(db, 'models')
    .addColumn('provider', 'text', notNull)
    .addColumn('name', 'text', notNull)
    .addColumn('tier', 'text', notNull)
    .addColumn('input_price_per_1k_usd', t.real, notNull)
    .addColumn('output_price_per_1k_usd', t.real, notNull)
    .addColumn('updated_at', t.time, notNull)
    .addPrimaryKeyConstraint('models_pk', ['tenant_id', 'provider', 'name'])
    .execute()
}

async function createMetering(db: AnyDb, t: ColumnTypes, engine: StoreEngine): Promise<void> {
  await withIdentity(tenantTable(db, 'usage_billing'), engine)
    .addColumn('task_id', 'text', notNull)
    .addColumn('provider', 'text')
    .addColumn('model', 'text')
    .addColumn('module', 'text')
    .addColumn('input_tokens', 'integer', notNull)
    .addColumn('output_tokens', 'integer', notNull)
    .addColumn('cost_usd', t.real, notNull)
    .addColumn('duration_ms', 'integer', notNull)
    .addColumn('created_at', t.time, notNull)
    .execute()
  await db.schema
    .createIndex('usage_tenant_created_idx')
    .on('usage_billing')
    .columns(['tenant_id', 'created_at'])
    .execute()
  await db.schema
    .createIndex('usage_tenant_task_idx')
    .on('usage_billing')
    .columns(['tenant_id', 'task_id'])
    .execute()
  await withIdentity(tenantTable(db, 'audit_activity'), engine)
    .addColumn('actor', 'text', notNull)
    .addColumn('action', 'text', notNull)
    .addColumn('target', 'text', notNull)
    .addColumn('outcome', 'text', notNull)
    .addColumn('details', t.json)
    .addColumn('at', t.time, notNull)
    .execute()
  await db.schema
    .createIndex('audit_tenant_id_idx')
    .on('audit_activity')
    .columns(['tenant_id', 'id'])
    .execute()
  await db.schema
    .createIndex('audit_tenant_action_idx')
    .on('audit_activity')
    .columns(['tenant_id', 'action', 'id'])
    .execute()
}

async function createAccess(db: AnyDb, t: ColumnTypes): Promise<void> {
  await tenantTable(db, 'api_keys')
    .addColumn('key_id', 'text', notNull)
    .addColumn('secret_hash', 'text', notNull)
    .addColumn('name', 'text', notNull)
    .addColumn('scopes', t.json, notNull)
    .addColumn('created_at', t.time, notNull)
    .addColumn('revoked_at', t.time)
    .addColumn('last_used_at', t.time)
    .addPrimaryKeyConstraint('api_keys_pk', ['tenant_id', 'key_id'])
    .execute()
  // The gateway looks a key up by id before it knows the tenant.
  await db.schema
    .createIndex('api_keys_key_id_uq')
    .unique()
    .on('api_keys')
    .column('key_id')
    .execute()
  await tenantTable(db, 'idempotency_keys')
    .addColumn('credential', 'text', notNull)
    .addColumn('key', 'text', notNull)
    .addColumn('request_hash', 'text', notNull)
    .addColumn('state', 'text', notNull)
    .addColumn('response', t.json)
    .addColumn('created_at', t.time, notNull)
    .addColumn('expires_at', t.time, notNull)
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'credential', 'key'])
    .execute()
  await db.schema
    .createIndex('idempotency_expires_idx')
    .on('idempotency_keys')
    .column('expires_at')
    .execute()
}

async function createOutbox(db: AnyDb, t: ColumnTypes, engine: StoreEngine): Promise<void> {
  await withIdentity(tenantTable(db, 'outbox'), engine)
    .addColumn('topic', 'text', notNull)
    .addColumn('key', 'text')
    .addColumn('payload', t.json, notNull)
    .addColumn('created_at', t.time, notNull)
    .addColumn('published_at', t.time)
    .addColumn('lease_until', t.time)
    .execute()
  await db.schema
    .createIndex('outbox_tenant_id_idx')
    .on('outbox')
    .columns(['tenant_id', 'id'])
    .execute()
  // The relay scans only what is still pending, across tenants, in id order.
  await db.schema
    .createIndex('outbox_pending_idx')
    .on('outbox')
    .column('id')
    .where(sql.ref('published_at'), 'is', null)
    .execute()
}

/**
 * Tasks gain what several control-plane processes need: an attempt number
 * and a lease (owner, expiry), so a dead process's tasks can be taken over.
 * Idempotency keys gain the task they created and a lease on their
 * in-progress lock, so a key whose request died is not stuck for its lifetime.
 */
async function addLeases(db: AnyDb, t: ColumnTypes): Promise<void> {
  await db.schema
    .alterTable('tasks')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await db.schema.alterTable('tasks').addColumn('lease_owner', 'text').execute()
  await db.schema.alterTable('tasks').addColumn('lease_expires_at', t.time).execute()
  // Recovery scans unfinished tasks across tenants by status.
  await db.schema
    .createIndex('tasks_status_lease_idx')
    .on('tasks')
    .columns(['status', 'lease_expires_at'])
    .execute()
  await db.schema.alterTable('idempotency_keys').addColumn('task_id', 'text').execute()
  await db.schema.alterTable('idempotency_keys').addColumn('lock_owner', 'text').execute()
  await db.schema.alterTable('idempotency_keys').addColumn('lock_expires_at', t.time).execute()
}

/**
 * The outbox relay's claims name their holder, so a relay whose publish
 * failed gives back only its own events; and published events are swept by
 * age, which the partial index keeps cheap however large the pending tail.
 */
async function addOutboxRelay(db: AnyDb): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('lease_owner', 'text').execute()
  await db.schema
    .createIndex('outbox_published_idx')
    .on('outbox')
    .column('published_at')
    .where(sql.ref('published_at'), 'is not', null)
    .execute()
}

/** The migration set for one engine, by name (applied in name order). */
export function migrationSet(engine: StoreEngine): Record<string, Migration> {
  const t = columnTypes(engine)
  return {
    '0001_core_tables': {
      async up(db: AnyDb) {
        await createTasks(db, t)
        await createPolicies(db, t)
        await createCatalog(db, t)
        await createMetering(db, t, engine)
        await createAccess(db, t)
        await createOutbox(db, t, engine)
      },
    },
    '0002_task_leases': {
      async up(db: AnyDb) {
        await addLeases(db, t)
      },
    },
    '0003_outbox_relay': {
      async up(db: AnyDb) {
        await addOutboxRelay(db)
      },
    },
  }
}
