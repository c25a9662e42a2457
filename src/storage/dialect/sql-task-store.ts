import type { Insertable, Kysely, Selectable, Updateable } from 'kysely'
import { StoreOptionsInvalidError } from '../../core/errors/index.js'
import type {
  NewTask,
  TaskEngine,
  TaskError,
  TaskListOptions,
  TaskPage,
  TaskPatch,
  TaskRecord,
  TaskRoute,
  TaskStatus,
  TaskStore,
  TaskUpdateOptions,
  UnfinishedTaskOptions,
} from '../ports/task-store.js'
import { DEFAULT_TENANT_ID } from '../ports/tenant.js'
import type { Codec } from './codec.js'
import type { Database, TasksTable } from './database.js'
import { runTemplate } from './query-templates.js'

const DEFAULT_PAGE_SIZE = 50
const unfinishedStatuses: readonly TaskStatus[] = ['queued', 'routed', 'running']
const zeroUsage = { input_tokens: 0, output_tokens: 0, cost_usd: 0, duration_ms: 0 }

/** {@link TaskStore} over the dialect core. */
export class SqlTaskStore implements TaskStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly codec: Codec,
  ) {}

  async create(task: NewTask): Promise<TaskRecord> {
    const c = this.codec
    const createdAt = c.time(task.created_at)
    const updatedAt = task.updated_at === undefined ? createdAt : c.time(task.updated_at)
    const usage = task.usage ?? zeroUsage
    const record: TaskRecord = {
      task_id: task.task_id,
      tenant_id: task.tenant_id ?? DEFAULT_TENANT_ID,
      status: task.status ?? 'queued',
      intent: task.intent,
      route: task.route ?? null,
      engine: task.engine ?? null,
      output: task.output ?? null,
      usage: { ...usage },
      error: task.error ?? null,
      trace_id: task.trace_id ?? null,
      created_at: createdAt,
      updated_at: updatedAt,
      request: task.request,
      decision: task.decision ?? null,
      idempotency_key: task.idempotency_key ?? null,
      attempt: task.attempt ?? 1,
      lease_owner: task.lease_owner ?? null,
      lease_expires_at: task.lease_expires_at == null ? null : c.time(task.lease_expires_at),
    }
    // No RETURNING: every column is written here, so the record is what was sent.
    const row: Insertable<TasksTable> = {
      tenant_id: record.tenant_id,
      task_id: record.task_id,
      intent: record.intent,
      status: record.status,
      route: record.route,
      engine: c.json(record.engine),
      request: c.json(record.request) ?? 'null',
      output: c.json(record.output),
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cost_usd: usage.cost_usd,
      duration_ms: usage.duration_ms,
      error: c.json(record.error),
      decision: c.json(record.decision),
      trace_id: record.trace_id,
      idempotency_key: record.idempotency_key,
      created_at: createdAt,
      updated_at: updatedAt,
      attempt: record.attempt,
      lease_owner: record.lease_owner,
      lease_expires_at: record.lease_expires_at,
    }
    const columns = Object.keys(row) as (keyof typeof row)[]
    await runTemplate(
      this.db,
      c.engine,
      'tasks.create',
      columns.map((column) => row[column]),
      (slot) =>
        this.db
          .insertInto('tasks')
          .values(Object.fromEntries(columns.map((column, i) => [column, slot(i)])) as never),
    )
    return record
  }

  async get(tenantId: string, taskId: string): Promise<TaskRecord | undefined> {
    const row = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('task_id', '=', taskId)
      .executeTakeFirst()
    return row && this.#record(row)
  }

  async update(
    tenantId: string,
    taskId: string,
    patch: TaskPatch,
    options: TaskUpdateOptions = {},
  ): Promise<TaskRecord | undefined> {
    let query = this.db
      .updateTable('tasks')
      .set(this.#changes(patch))
      .where('tenant_id', '=', tenantId)
      .where('task_id', '=', taskId)
    if (options.expectStatus !== undefined) {
      const expected =
        typeof options.expectStatus === 'string' ? [options.expectStatus] : options.expectStatus
      if (expected.length === 0) return undefined
      query = query.where('status', 'in', expected)
    }
    if (options.expectLeaseOwner !== undefined) {
      const owner = options.expectLeaseOwner
      query =
        owner === null
          ? query.where('lease_owner', 'is', null)
          : query.where('lease_owner', '=', owner)
    }
    const row = await query.returningAll().executeTakeFirst()
    return row && this.#record(row)
  }

  async transition(
    tenantId: string,
    taskId: string,
    patch: TaskPatch,
    expectStatus: readonly TaskStatus[],
    expectLeaseOwner?: string,
  ): Promise<boolean> {
    if (expectStatus.length === 0) return false
    const changes = this.#changes(patch)
    const columns = Object.keys(changes) as (keyof typeof changes)[]
    const owner = expectLeaseOwner === undefined ? [] : [expectLeaseOwner]
    const values = [
      ...columns.map((column) => changes[column]),
      tenantId,
      taskId,
      ...expectStatus,
      ...owner,
    ]
    const statusSlots = columns.length + 2
    const result = await runTemplate(
      this.db,
      this.codec.engine,
      `tasks.transition:${columns.join(',')}:${expectStatus.length}:${owner.length}`,
      values,
      (slot) => {
        const query = this.db
          .updateTable('tasks')
          .set(Object.fromEntries(columns.map((column, i) => [column, slot(i)])))
          .where('tenant_id', '=', slot(columns.length))
          .where('task_id', '=', slot(columns.length + 1))
          .where(
            'status',
            'in',
            expectStatus.map((_, i) => slot(statusSlots + i)),
          )
        return owner.length === 0
          ? query
          : query.where('lease_owner', '=', slot(statusSlots + expectStatus.length))
      },
    )
    return (result.numAffectedRows ?? 0n) > 0n
  }

  async unfinished(options: UnfinishedTaskOptions): Promise<TaskRecord[]> {
    let query = this.db
      .selectFrom('tasks')
      .selectAll()
      .where('status', 'in', unfinishedStatuses)
      .where((eb) =>
        eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '<>', options.notOwnedBy)]),
      )
      .orderBy('created_at', 'asc')
      .orderBy('task_id', 'asc')
      .limit(options.limit ?? 500)
    if (options.leaseExpiredBefore !== undefined) {
      const before = this.codec.time(options.leaseExpiredBefore)
      query = query.where((eb) =>
        eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', before)]),
      )
    }
    const rows = await query.execute()
    return rows.map((row) => this.#record(row))
  }

  async renewLeases(owner: string, expiresAt: string): Promise<number> {
    const result = await this.db
      .updateTable('tasks')
      .set({ lease_expires_at: this.codec.time(expiresAt) })
      .where('lease_owner', '=', owner)
      .where('status', 'in', unfinishedStatuses)
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  async list(tenantId: string, options: TaskListOptions = {}): Promise<TaskPage> {
    const limit = options.limit ?? DEFAULT_PAGE_SIZE
    let query = this.db
      .selectFrom('tasks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .orderBy('task_id', 'desc')
      .limit(limit + 1)
    if (options.status !== undefined) query = query.where('status', '=', options.status)
    if (options.after !== undefined) {
      const [createdAt, id] = decodeCursor(options.after)
      query = query.where((eb) =>
        eb(eb.refTuple('created_at', 'task_id'), '<', eb.tuple(this.codec.time(createdAt), id)),
      )
    }
    const rows = await query.execute()
    const items = rows.slice(0, limit).map((row) => this.#record(row))
    const last = items.at(-1)
    const nextCursor = rows.length > limit && last ? encodeCursor(last) : undefined
    return { items, nextCursor }
  }

  #changes(patch: TaskPatch): Updateable<TasksTable> {
    const c = this.codec
    const changes: Updateable<TasksTable> = { updated_at: c.time(patch.updated_at) }
    if (patch.status !== undefined) changes.status = patch.status
    if (patch.route !== undefined) changes.route = patch.route
    if (patch.engine !== undefined) changes.engine = c.json(patch.engine)
    if (patch.output !== undefined) changes.output = c.json(patch.output)
    if (patch.error !== undefined) changes.error = c.json(patch.error)
    if (patch.decision !== undefined) changes.decision = c.json(patch.decision)
    if (patch.trace_id !== undefined) changes.trace_id = patch.trace_id
    if (patch.attempt !== undefined) changes.attempt = patch.attempt
    if (patch.lease_owner !== undefined) changes.lease_owner = patch.lease_owner
    if (patch.lease_expires_at !== undefined) {
      changes.lease_expires_at =
        patch.lease_expires_at === null ? null : c.time(patch.lease_expires_at)
    }
    if (patch.usage !== undefined) {
      changes.input_tokens = patch.usage.input_tokens
      changes.output_tokens = patch.usage.output_tokens
      changes.cost_usd = patch.usage.cost_usd
      changes.duration_ms = patch.usage.duration_ms
    }
    return changes
  }

  #record(row: Selectable<TasksTable>): TaskRecord {
    const c = this.codec
    return {
      task_id: row.task_id,
      tenant_id: row.tenant_id,
      status: row.status as TaskStatus,
      intent: row.intent,
      route: row.route as TaskRoute | null,
      // Written by this store through the typed port, so the shapes hold.
      engine: c.readJson(row.engine) as unknown as TaskEngine | null,
      output: c.readJson(row.output),
      usage: {
        input_tokens: row.input_tokens,
        output_tokens: row.output_tokens,
        cost_usd: row.cost_usd,
        duration_ms: row.duration_ms,
      },
      error: c.readJson(row.error) as unknown as TaskError | null,
      trace_id: row.trace_id,
      created_at: c.readTime(row.created_at),
      updated_at: c.readTime(row.updated_at),
      request: c.readJson(row.request),
      decision: c.readJson(row.decision),
      idempotency_key: row.idempotency_key,
      attempt: row.attempt,
      lease_owner: row.lease_owner,
      lease_expires_at: row.lease_expires_at === null ? null : c.readTime(row.lease_expires_at),
    }
  }
}

function encodeCursor(task: TaskRecord): string {
  return Buffer.from(JSON.stringify([task.created_at, task.task_id])).toString('base64url')
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      const [createdAt, taskId] = value as [string, string]
      if (!Number.isNaN(Date.parse(createdAt))) return [createdAt, taskId]
    }
  } catch {
    // fall through to the typed error
  }
  throw new StoreOptionsInvalidError({
    option: 'after',
    reason: 'not a cursor from a previous page',
  })
}
