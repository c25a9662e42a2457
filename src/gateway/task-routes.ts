/**
 * `POST /v1/tasks`, `GET /v1/tasks/{id}`, `POST /v1/tasks/{id}/cancel`; their
 * guards come from the route table (route-table.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ControlPlane } from '../control/control-plane.js'
import { actorOf } from './auth/index.js'
import type { Idempotency } from './idempotency/index.js'
import { preferWaitSeconds } from './prefer-wait.js'
import { cancelTask, getTask, submitTask, type Answer } from './task-handlers.js'
import { traceOf } from './trace-context.js'

interface TaskParams {
  task_id: string
}

export function registerTaskRoutes(
  app: FastifyInstance,
  control: ControlPlane,
  idempotency: Idempotency,
): void {
  app.post('/v1/tasks', async function postTask(request, reply) {
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
  })

  app.get<{ Params: TaskParams }>('/v1/tasks/:task_id', async function readTask(request, reply) {
    return send(reply, await getTask(control, actorOf(request), request.params.task_id))
  })

  app.post<{ Params: TaskParams }>(
    '/v1/tasks/:task_id/cancel',
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
