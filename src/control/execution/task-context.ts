/** What the orchestrator knows about one task while it is in this process. */
import type { TaskRequest } from '../../../contracts/generated/index.js'
import type { RegistrySet } from '../../core/registry/index.js'
import type { RoutingFeatures } from '../router/router-port.js'
import type { TaskStream } from '../streams/task-stream.js'

/** The registry set a task runs under, with its version (captured at submit). */
export interface ActiveRegistries {
  readonly set: RegistrySet
  readonly version: number
}

export interface TaskContext {
  readonly taskId: string
  readonly tenantId: string
  readonly request: TaskRequest
  readonly traceId: string
  readonly registries: ActiveRegistries
  readonly features: RoutingFeatures
  readonly stream: TaskStream
  /** Aborted with the reason the task stops early (cancel, timeout, drain). */
  readonly abort: AbortController
  /** `pending` until a dispatcher takes it; only then may the runner write its state. */
  phase: 'pending' | 'started'
  /** True once any token or partial output reached the stream. */
  streamedOutput: boolean
  /** Epoch ms when the task must end (set when it starts running). */
  deadlineAt: number
}

/** Milliseconds left before the task's deadline (never negative). */
export function remainingMs(ctx: TaskContext): number {
  return Math.max(0, ctx.deadlineAt - Date.now())
}
