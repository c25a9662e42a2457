import type { JsonValue } from '../../core/domain/index.js'

/** A task's life: `queued → routed → running → (partial…) → succeeded | failed | cancelled | timed_out`. */
export type TaskStatus =
  'queued' | 'routed' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out'

/** Where a task runs (DESIGN.md, Routes); `auto` until the router decides. */
export type TaskRoute = 'auto' | 'local' | 'api' | 'hybrid'

/** What served the task: a module, a model or a pipeline. Field names mirror the result envelope. */
export interface TaskEngine {
  readonly kind: string
  readonly name: string
  readonly version?: string
  readonly provider?: string
  readonly model?: string
  readonly tier?: string
}

/** Metered usage, as in the result envelope. */
export interface TaskUsage {
  readonly input_tokens: number
  readonly output_tokens: number
  readonly cost_usd: number
  readonly duration_ms: number
}

/** A task's failure, as in the result envelope. */
export interface TaskError {
  readonly code: string
  readonly message: string
  readonly retryable: boolean
}

/**
 * One task as stored: the result envelope's fields (same names) plus the
 * tenant, the original request, the router's decision and the idempotency key.
 * Timestamps are ISO-8601 UTC strings with milliseconds.
 */
export interface TaskRecord {
  readonly task_id: string
  readonly tenant_id: string
  readonly status: TaskStatus
  readonly intent: string
  readonly route: TaskRoute | null
  readonly engine: TaskEngine | null
  readonly output: JsonValue | null
  readonly usage: TaskUsage
  readonly error: TaskError | null
  readonly trace_id: string | null
  readonly created_at: string
  readonly updated_at: string
  /** The task request as submitted (`{intent, input, route?, …}`). */
  readonly request: JsonValue
  /** The routing decision, once made. */
  readonly decision: JsonValue | null
  readonly idempotency_key: string | null
  /** How many times a process took the task to run it (1 at admission; a requeue adds one). */
  readonly attempt: number
  /** The process that holds the task while it is unfinished (see {@link TaskStore.unfinished}). */
  readonly lease_owner: string | null
  /** ISO-8601: when the owner's hold lapses unless renewed. */
  readonly lease_expires_at: string | null
}

/** What `create` needs; everything else takes its default. */
export interface NewTask {
  readonly task_id: string
  /** @default 'default' */
  readonly tenant_id?: string
  readonly intent: string
  readonly request: JsonValue
  /** @default 'queued' */
  readonly status?: TaskStatus
  /** @default null */
  readonly route?: TaskRoute | null
  /** @default null */
  readonly engine?: TaskEngine | null
  /** @default null */
  readonly output?: JsonValue | null
  /** @default all zeros */
  readonly usage?: TaskUsage
  /** @default null */
  readonly error?: TaskError | null
  /** @default null */
  readonly decision?: JsonValue | null
  /** @default null */
  readonly trace_id?: string | null
  /** @default null */
  readonly idempotency_key?: string | null
  /** @default 1 */
  readonly attempt?: number
  /** @default null */
  readonly lease_owner?: string | null
  /** ISO-8601; @default null */
  readonly lease_expires_at?: string | null
  /** ISO-8601; @default now */
  readonly created_at?: string
  /** ISO-8601; @default created_at */
  readonly updated_at?: string
}

/** The fields a task may change over its life. */
export interface TaskPatch {
  readonly status?: TaskStatus
  readonly route?: TaskRoute | null
  readonly engine?: TaskEngine | null
  readonly output?: JsonValue | null
  readonly usage?: TaskUsage
  readonly error?: TaskError | null
  readonly decision?: JsonValue | null
  readonly trace_id?: string | null
  readonly attempt?: number
  readonly lease_owner?: string | null
  /** ISO-8601 */
  readonly lease_expires_at?: string | null
  /** ISO-8601; @default now */
  readonly updated_at?: string
}

/** Options of {@link TaskStore.update}. */
export interface TaskUpdateOptions {
  /** Apply the patch only while the task is in one of these states (an atomic transition). */
  readonly expectStatus?: TaskStatus | readonly TaskStatus[]
  /** Apply the patch only while this owner (null: none) holds the task's lease. */
  readonly expectLeaseOwner?: string | null
}

/** Options of {@link TaskStore.unfinished}. */
export interface UnfinishedTaskOptions {
  /** Leave out the tasks this owner holds. */
  readonly notOwnedBy: string
  /** ISO-8601: only tasks whose lease lapsed before it (or that have none). @default any lease */
  readonly leaseExpiredBefore?: string
  /** @default 500 */
  readonly limit?: number
}

/** Options of {@link TaskStore.list}. */
export interface TaskListOptions {
  readonly status?: TaskStatus
  /** @default 50 */
  readonly limit?: number
  /** An opaque cursor from a previous page's `nextCursor`. */
  readonly after?: string
}

/** One page of tasks, newest first. */
export interface TaskPage {
  readonly items: TaskRecord[]
  /** Pass as `after` for the next page; undefined on the last page. */
  readonly nextCursor: string | undefined
}

/** The `tasks` table. */
export interface TaskStore {
  /** Inserts a task; a duplicate `(tenant_id, task_id)` throws `StoreConflictError`. */
  create(task: NewTask): Promise<TaskRecord>
  /** The task, or undefined when absent (or another tenant's). */
  get(tenantId: string, taskId: string): Promise<TaskRecord | undefined>
  /**
   * Applies the patch and returns the new record; undefined when no task
   * matched (absent, or its status is not one of `expectStatus`).
   */
  update(
    tenantId: string,
    taskId: string,
    patch: TaskPatch,
    options?: TaskUpdateOptions,
  ): Promise<TaskRecord | undefined>
  /**
   * Applies the patch only while the task's status is one of `expectStatus`,
   * without reading the row back (the hot path: the caller already holds the
   * record and merges the patch itself). With `expectLeaseOwner`, only while
   * that owner holds the task's lease. True when the task changed.
   */
  transition(
    tenantId: string,
    taskId: string,
    patch: TaskPatch,
    expectStatus: readonly TaskStatus[],
    expectLeaseOwner?: string,
  ): Promise<boolean>
  /** Tasks newest first, optionally of one status, by cursor. */
  list(tenantId: string, options?: TaskListOptions): Promise<TaskPage>
  /**
   * Unfinished tasks (`queued`, `routed`, `running`) of every tenant that
   * another owner holds (or none), oldest first: what recovery takes over.
   */
  unfinished(options: UnfinishedTaskOptions): Promise<TaskRecord[]>
  /** Extends to `expiresAt` (ISO-8601) the leases `owner` holds on unfinished tasks; how many. */
  renewLeases(owner: string, expiresAt: string): Promise<number>
}
