/** What the orchestrator knows about one task while it is in this process. */
import type { TaskRequest } from '../../../contracts/generated/index.js'
import { buildFeatures } from '../submission/task-features.js'
import type { RegistrySet } from '../../core/registry/index.js'
import type { TaskRecord } from '../../storage/index.js'
import type { RoutingFeatures } from '../router/router-port.js'
import type { TaskStream } from '../streams/task-stream.js'
import type { TaskStreamHub } from '../streams/task-stream-hub.js'
import { PlainAbortController } from '../../core/plain-abort.js'

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
  readonly abort: PlainAbortController
  /** `pending` until a dispatcher takes it; only then may the runner write its state. */
  phase: 'pending' | 'started'
  /** True once any token or partial output reached the stream. */
  streamedOutput: boolean
  /** Epoch ms when the task must end (set when it starts running). */
  deadlineAt: number
  /** The task as last persisted by this process (each transition replaces it). */
  record: TaskRecord
}

/** Milliseconds left before the task's deadline (never negative). */
export function remainingMs(ctx: TaskContext): number {
  return Math.max(0, ctx.deadlineAt - Date.now())
}

/** A task as admitted: its ids, request, captured registries and features. */
export interface AdmittedTask {
  readonly taskId: string
  readonly tenantId: string
  readonly request: TaskRequest
  readonly traceId: string
  readonly registries: ActiveRegistries
  /** Undefined for a recovered task whose request no longer passes (see {@link featuresOrStrictest}). */
  readonly features: RoutingFeatures | undefined
  /** The task as stored when it was admitted. */
  readonly record: TaskRecord
}

/** A fresh context for an admitted task, with its stream opened in the hub. */
export function createTaskContext(task: AdmittedTask, hub: TaskStreamHub): TaskContext {
  return {
    ...task,
    features: task.features ?? featuresOrStrictest(task),
    stream: hub.open(task.taskId, task.tenantId),
    abort: new PlainAbortController(),
    phase: 'pending',
    streamedOutput: false,
    deadlineAt: Number.POSITIVE_INFINITY,
  }
}

/**
 * The features of a recovered request under the active set; when they cannot
 * be built (intent gone, privacy now looser than asked), the strictest ones,
 * so the router refuses the task with a reason rather than running it loosely.
 */
export function featuresOrStrictest(task: Omit<AdmittedTask, 'features'>): RoutingFeatures {
  const intent = task.registries.set.intents[task.request.intent]
  try {
    if (intent) return buildFeatures(task.tenantId, task.request, intent, task.registries.set)
  } catch {
    // Falls through to the strictest features.
  }
  return {
    tenantId: task.tenantId,
    intent: task.request.intent,
    requestedRoute: task.request.route ?? 'auto',
    privacy: 'local-only',
    budgetUsd: 0,
    inputBytes: 0,
    estimatedInputTokens: 0,
    estimatedOutputTokens: 0,
    piiDetected: true,
  }
}
