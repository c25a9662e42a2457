/**
 * What the task routes do, free of HTTP plumbing: each takes the caller and
 * the parsed request and returns an {@link Answer}. Idempotency caches
 * answers, so they are plain data.
 */
import type { TaskRequest } from '../../contracts/generated/index.js'
import type { ControlPlane } from '../control/control-plane.js'
import type { Actor } from '../core/domain/index.js'
import { checkContract } from '../core/contracts/contract-validator.js'
import { RequestInvalidError } from '../core/errors/index.js'
import { isTerminalStatus } from '../core/task-status.js'

/** A response as data: status, JSON body, extra headers. */
export interface Answer {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export interface SubmitContext {
  readonly traceId: string
  readonly idempotencyKey?: string
  /** From `Prefer: wait=N`; undefined answers at once with 202. */
  readonly waitSeconds?: number
  /** Told the task's id before waiting for its end (idempotency binds its key to it). */
  readonly onCreated?: (taskId: string) => Promise<void>
}

/** `POST /v1/tasks`: 202 with the queued envelope, or 200 with the final one under `Prefer: wait`. */
export async function submitTask(
  control: ControlPlane,
  actor: Actor,
  body: unknown,
  context: SubmitContext,
): Promise<Answer> {
  const violations = checkContract('task-request', body)
  if (violations.length > 0) throw new RequestInvalidError({ violations })
  let envelope = await control.submit({
    actor,
    request: body as TaskRequest,
    traceId: context.traceId,
    ...(context.idempotencyKey === undefined ? {} : { idempotencyKey: context.idempotencyKey }),
    waiting: (context.waitSeconds ?? 0) > 0,
  })
  const headers: Record<string, string> = { location: `/v1/tasks/${envelope.task_id}` }
  if (context.waitSeconds !== undefined) {
    headers['preference-applied'] = `wait=${context.waitSeconds}`
    if (!isTerminalStatus(envelope.status) && context.waitSeconds > 0) {
      await context.onCreated?.(envelope.task_id)
      envelope = await control.waitForEnd(
        actor.tenantId,
        envelope.task_id,
        context.waitSeconds * 1000,
      )
    }
  }
  return { status: isTerminalStatus(envelope.status) ? 200 : 202, body: envelope, headers }
}

/** `GET /v1/tasks/{id}`. */
export async function getTask(
  control: ControlPlane,
  actor: Actor,
  taskId: string,
): Promise<Answer> {
  return { status: 200, body: await control.get(actor.tenantId, taskId) }
}

/** `POST /v1/tasks/{id}/cancel`. */
export async function cancelTask(
  control: ControlPlane,
  actor: Actor,
  taskId: string,
): Promise<Answer> {
  return { status: 200, body: await control.cancel(actor, taskId) }
}
