/**
 * `GET /v1/stream/{task_id}`: the task's events as Server-Sent Events named
 * `token`, `partial`, `done`, `error`, with `id:` = the event's seq so
 * `Last-Event-ID` resumes with no gap and no duplicate.
 */
import type { FastifyInstance } from 'fastify'
import type { ControlPlane } from '../control/control-plane.js'
import { toAionError } from '../core/errors/index.js'
import { actorOf } from './auth/index.js'
import { lastEventId, openSse, sseFrame, startSseHeartbeat, writeSseEvent } from './sse.js'

export function registerStreamRoute(app: FastifyInstance, control: ControlPlane): void {
  app.get<{ Params: { task_id: string } }>(
    '/v1/stream/:task_id',
    async function streamTask(request, reply) {
      const actor = actorOf(request)
      const taskId = request.params.task_id
      // Another tenant's or an unknown task answers 404 as problem+json before the stream opens.
      await control.get(actor.tenantId, taskId)
      const afterSeq = lastEventId(request.headers['last-event-id'], request.query)

      reply.hijack()
      const raw = reply.raw
      const abort = new AbortController()
      const onClose = () => abort.abort()
      raw.once('close', onClose)
      openSse(raw, { traceparent: String(reply.getHeader('traceparent') ?? '') })
      const stopHeartbeat = startSseHeartbeat(raw)
      try {
        for await (const event of control.events(actor.tenantId, taskId, afterSeq, abort.signal)) {
          if (abort.signal.aborted) break
          await writeSseEvent(raw, { id: event.seq, name: event.event, data: event })
        }
      } catch (error) {
        if (!abort.signal.aborted) {
          const aion = toAionError(error)
          request.log.warn({ err: error, taskId }, 'stream ended by an error')
          // Written without waiting for drain: the stream ends right after it.
          const failure = { code: aion.code, message: aion.message, retryable: aion.retryable }
          raw.write(
            sseFrame({ name: 'error', data: { event: 'error', task_id: taskId, error: failure } }),
          )
        }
      } finally {
        stopHeartbeat()
        raw.off('close', onClose)
        raw.end()
      }
    },
  )
}
