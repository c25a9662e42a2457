/**
 * `POST /v1/tasks`, `GET /v1/tasks/{id}`, `POST /v1/tasks/{id}/cancel`.
 * Every route: IP limit → authenticate → credential limit → scope.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ControlPlane } from '../control/control-plane.js'
import { actorOf, requireScope, type RequestHook } from './auth/index.js'
import type { Idempotency } from './idempotency/index.js'
import { preferWaitSeconds } from './prefer-wait.js'
import { cancelTask, getTask, submitTask, type Answer } from './task-handlers.js'
import { traceOf } from './trace-context.js'

/** The hooks every protected route runs before its scope check. */
export interface RouteGuards {
  readonly limitByIp: RequestHook
  readonly authenticate: RequestHook
  readonly limitByCredential: RequestHook
}

export function guarded(
  guards: RouteGuards,
  scope: Parameters<typeof requireScope>[0],
): RequestHook[] {
  return [guards.limitByIp, guards.authenticate, guards.limitByCredential, requireScope(scope)]
}

interface TaskParams {
  task_id: string
}

export function registerTaskRoutes(
  app: FastifyInstance,
  control: ControlPlane,
  guards: RouteGuards,
  idempotency: Idempotency,
): void {
  app.post(
    '/v1/tasks',
    { onRequest: guarded(guards, 'tasks:write') },
    async function postTask(request, reply) {
      const actor = actorOf(request)
      const key = request.headers['idempotency-key']
      return idempotency.withIdempotency(request, reply, actor, (progress) =>
        submitTask(control, actor, request.body, {
          traceId: traceOf(request).traceId,
          onCreated: (taskId) => progress.created(taskId),
          ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
          ...waitOption(preferWaitSeconds(request.headers.prefer)),
        }),
      )
    },
  )

  app.get<{ Params: TaskParams }>(
    '/v1/tasks/:task_id',
    { onRequest: guarded(guards, 'tasks:read') },
    async function readTask(request, reply) {
      return send(reply, await getTask(control, actorOf(request), request.params.task_id))
    },
  )

  app.post<{ Params: TaskParams }>(
    '/v1/tasks/:task_id/cancel',
    { onRequest: guarded(guards, 'tasks:write') },
    async function cancel(request, reply) {
      return send(reply, await cancelTask(control, actorOf(request), request.params.task_id))
    },
  )
}

function waitOption(seconds: number | undefined): { waitSeconds?: number } {
  return seconds === undefined ? {} : { waitSeconds: seconds }
}

/** Sends an {@link Answer}: status, headers, JSON body. */
export function send(reply: FastifyReply, answer: Answer): unknown {
  void reply.status(answer.status)
  for (const [name, value] of Object.entries(answer.headers ?? {})) void reply.header(name, value)
  return answer.body
}
