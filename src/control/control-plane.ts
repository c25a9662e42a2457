/**
 * The one interface through which the gateway reaches the control plane, so
 * the same gateway code runs in process (embedded) or against a remote
 * control plane (scale-out). Nothing in it is HTTP-specific.
 */
import type { ResultEnvelope, StreamEvent, TaskRequest } from '../../contracts/generated/index.js'
import type {
  Actor,
  ApiKeyView,
  CreatedApiKey,
  InstalledModule,
  ModulePackage,
  NewKeyCommand,
  PolicyVersion,
} from '../core/domain/index.js'
import type { DeviceReading } from '../runtime/module-executor.js'

export type { ApiKeyView, CreatedApiKey, DeviceReading, NewKeyCommand }

/** One dependency's health as seen by the control plane. */
export interface ReadinessCheck {
  readonly name: string
  readonly ok: boolean
  readonly detail?: string
}

export interface Readiness {
  readonly ready: boolean
  readonly checks: readonly ReadinessCheck[]
}

export interface SubmitCommand {
  readonly actor: Actor
  /** Already checked against the task-request contract by the gateway. */
  readonly request: TaskRequest
  /** W3C trace id (32 hex) the task carries. */
  readonly traceId: string
  readonly idempotencyKey?: string
  /**
   * The client waits for the end (`Prefer: wait`), so the answer it gets is the
   * final envelope, not the queued one: the task may be routed and written
   * `running` in the submission's own write when a worker slot is free.
   */
  readonly waiting?: boolean
}

/** An event of the embedded log (outbox), for `GET /v1/events`. */
export interface PlatformEvent {
  readonly id: number
  /** The tenant the event belongs to (whose task, whose actor). */
  readonly tenantId: string
  readonly topic: string
  readonly key: string | null
  readonly payload: unknown
  readonly createdAt: string
}

export interface ControlPlane {
  /** Whether the control plane can take work: store reachable, registries loaded, not draining. */
  readiness(): Promise<Readiness>

  /**
   * Validates the request against the intent (unknown intent → AION_TASK_UNKNOWN_INTENT,
   * input against the serving schema → AION_REQUEST_INVALID), persists the task as
   * `queued` and enqueues it. A full queue → AION_CONTROL_QUEUE_FULL (unavailable,
   * retryable, `retryAfterSeconds`) without persisting anything.
   */
  submit(command: SubmitCommand): Promise<ResultEnvelope>

  /** The task's envelope; another tenant's task → AION_TASK_NOT_FOUND. */
  get(tenantId: string, taskId: string): Promise<ResultEnvelope>

  /** Resolves with the envelope once the task ends or `timeoutMs` passes (then as it is). */
  waitForEnd(
    tenantId: string,
    taskId: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<ResultEnvelope>

  /**
   * The task's stream events with `seq` greater than `afterSeq`, replayed from
   * the start when needed (no gap, no duplicate), then live; ends after `done`
   * or `error`. Breaking out of the iteration releases the subscription.
   */
  events(
    tenantId: string,
    taskId: string,
    afterSeq: number,
    signal?: AbortSignal,
  ): AsyncIterable<StreamEvent>

  /** Cancels a task: the provider call is aborted, the module killed; ends `cancelled`. */
  cancel(actor: Actor, taskId: string): Promise<ResultEnvelope>

  /** Validates and atomically activates the registry files of the config dir (or `sources`). */
  reloadPolicies(actor: Actor, sources?: Readonly<Record<string, string>>): Promise<PolicyVersion>
  policyVersions(tenantId: string): Promise<readonly PolicyVersion[]>
  rollbackPolicies(actor: Actor, version: number): Promise<PolicyVersion>

  /**
   * Installs the package `reference` names from its OCI registry: verified,
   * checked, stored, registered and served without a restart. A package that
   * fails a check is quarantined → AION_MODULE_QUARANTINED; a registry outage →
   * a retryable AION_OCI_REGISTRY_* error with nothing written.
   */
  installModule(actor: Actor, reference: string): Promise<InstalledModule>
  /** Installed and quarantined packages. */
  listModules(tenantId: string): Promise<readonly ModulePackage[]>
  /** The accelerators module calls are placed on, read now (utilisation, memory, lease). */
  devices(): Promise<readonly DeviceReading[]>

  /** Events of the embedded log after `afterId`, oldest first; of one tenant when given. */
  platformEvents(
    afterId: number,
    limit: number,
    topic?: string,
    tenantId?: string,
  ): Promise<readonly PlatformEvent[]>

  /** The API keys of the caller's own tenant, oldest first. */
  listKeys(actor: Actor): Promise<readonly ApiKeyView[]>
  /**
   * Creates a key in the caller's own tenant, audited (`key.create`). A scope
   * the caller does not hold itself → AION_AUTH_SCOPE_NOT_GRANTABLE.
   */
  createKey(actor: Actor, command: NewKeyCommand): Promise<CreatedApiKey>
  /**
   * Revokes a key of the caller's own tenant, audited (`key.revoke`); it is
   * refused from the next request on. Revoking a revoked key answers it as it
   * is. Another tenant's key, or none → AION_AUTH_KEY_NOT_FOUND.
   */
  revokeKey(actor: Actor, keyId: string): Promise<ApiKeyView>

  /** Stops taking work, finishes in-flight tasks until the deadline, then ends open streams. */
  drain(deadlineMs: number): Promise<void>
}
