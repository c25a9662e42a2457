/**
 * `Idempotency-Key` for `POST /v1/tasks`: the same key with the same body
 * answers the same response without running the handler again; with another
 * body → 422; while the first request is still being accepted → 409 with
 * `Retry-After: 1`. Keys are scoped per tenant and credential, kept
 * `keyTtlMs` (24 h by default); the stored response is replayed for 15 min,
 * after that a fresh one (the task's current envelope) when a `refresh` is
 * given.
 *
 * The in-progress lock has a lease (`lockMs`) and the task a request created
 * is bound to its key before the request waits for it: a retry after the
 * lease lapsed (the process died; a restart lets every lock lapse) answers
 * the bound task's current envelope — its terminal one once it ended — and
 * runs the request again only when it had created nothing. (A request that
 * answers without waiting binds nothing: should its process die between
 * creating the task and storing the answer — one store write — a retry
 * creates the task again.) While the cache is unreachable a keyed request
 * gets 503 `AION_IDEMPOTENCY_UNAVAILABLE` with `Retry-After: 1`: it is never
 * run without its key.
 *
 * ```ts
 * const idempotency = createIdempotency({ cache: store.idempotency, refresh: currentEnvelope(controlPlane) })
 * app.post('/v1/tasks', hooks, (request, reply) =>
 *   idempotency.withIdempotency(request, reply, actorOf(request), async () => {
 *     const envelope = await controlPlane.submit(...)
 *     return { status: 202, body: envelope }
 *   }))
 * ```
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { ControlPlane } from '../../control/control-plane.js'
import type { Actor } from '../../core/domain/index.js'
import {
  AionError,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  IdempotencyUnavailableError,
} from '../../core/errors/index.js'
import { processInstanceId } from '../../core/process-instance.js'
import { isTerminalStatus } from '../../core/task-status.js'
import type { JsonValue } from '../../core/domain/index.js'
import type { IdempotencyCache, IdempotencyCacheRef } from '../../core/edge-state/index.js'
import { readIdempotencyKey } from './idempotency-key.js'
import { requestFingerprint } from './request-fingerprint.js'

/** A response a handler produced: status, JSON body and extra headers. */
export interface IdempotentResponse {
  readonly status: number
  /** Must survive `JSON.stringify` (it is stored). */
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

/** Options of {@link createIdempotency}. */
export interface IdempotencyOptions {
  /** Where keys are remembered (the server passes `store.idempotency`). */
  readonly cache: IdempotencyCache
  /** How long a key is kept. @default 86400000 (24 h) */
  readonly keyTtlMs?: number
  /**
   * How long an in-progress lock holds before a retry may take it over
   * (longer than any request: `Prefer: wait` is capped at 60 s). @default 120000
   */
  readonly lockMs?: number
  /** Who holds the locks this service takes. @default this process's instance id */
  readonly owner?: string
  /** How long the stored response is replayed as it was. @default 900000 (15 min) */
  readonly replayWindowMs?: number
  /**
   * The answer to a replay after the window, from the stored one (e.g. the
   * task's current envelope, see {@link currentEnvelope}); undefined keeps the
   * stored response. @default replay the stored response
   */
  readonly refresh?: (actor: Actor, stored: IdempotentResponse) => Promise<IdempotentResponse>
  /** Clock, for tests. @default Date.now */
  readonly nowMs?: () => number
}

/** What a handler tells the service while it runs. */
export interface IdempotencyProgress {
  /** The request created its task: call before waiting for it, so a crash leaves the key bound. */
  created(taskId: string): Promise<void>
}

/** What {@link createIdempotency} returns. */
export interface Idempotency {
  /**
   * Runs `handler` at most once per (tenant, credential, key) and sends its
   * response (status, headers) or the stored one, returning the body to send.
   * Without an `Idempotency-Key` header it just runs the handler. The handler
   * must throw only when it created nothing: a throw releases the key.
   */
  withIdempotency(
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    handler: (progress: IdempotencyProgress) => Promise<IdempotentResponse>,
  ): Promise<unknown>
}

/** The response as stored in the cache. */
interface StoredResponse {
  readonly status: number
  readonly body: JsonValue
  readonly headers: Readonly<Record<string, string>>
  readonly storedAtMs: number
}

/** Builds the idempotency service over a cache. */
export function createIdempotency(options: IdempotencyOptions): Idempotency {
  const { cache, refresh } = options
  const keyTtlMs = options.keyTtlMs ?? 24 * 60 * 60 * 1000
  const lockMs = options.lockMs ?? 120_000
  const owner = options.owner ?? processInstanceId
  const replayWindowMs = options.replayWindowMs ?? 15 * 60 * 1000
  const nowMs = options.nowMs ?? Date.now

  const replay = async (actor: Actor, stored: StoredResponse): Promise<IdempotentResponse> => {
    if (refresh === undefined || nowMs() - stored.storedAtMs <= replayWindowMs) return stored
    return refresh(actor, stored)
  }

  const runOnce = async (
    request: FastifyRequest,
    ref: IdempotencyCacheRef,
    handler: (progress: IdempotencyProgress) => Promise<IdempotentResponse>,
  ): Promise<IdempotentResponse> => {
    let response: IdempotentResponse
    const progress: IdempotencyProgress = {
      async created(taskId) {
        await cache.bind(ref, taskId).catch((error: unknown) => {
          request.log.error({ err: error }, 'idempotency: binding the task failed')
        })
      },
    }
    try {
      response = await handler(progress)
    } catch (error) {
      await cache.release(ref).catch((releaseError: unknown) => {
        request.log.error({ err: releaseError }, 'idempotency: releasing the key failed')
      })
      throw error
    }
    await store(request, ref, response)
    return response
  }

  const store = async (
    request: FastifyRequest,
    ref: IdempotencyCacheRef,
    response: IdempotentResponse,
  ): Promise<void> => {
    const stored: StoredResponse = {
      status: response.status,
      body: response.body as JsonValue,
      headers: response.headers ?? {},
      storedAtMs: nowMs(),
    }
    // The task exists: answer it even if the cache write fails (a retry then resumes it once the lock lapses).
    await cache.complete(ref, stored as unknown as JsonValue).catch((error: unknown) => {
      request.log.error({ err: error }, 'idempotency: storing the response failed')
    })
  }

  /** The bound task's envelope now: 200 once it ended (stored for good), else 202. */
  const resume = async (
    request: FastifyRequest,
    actor: Actor,
    ref: IdempotencyCacheRef,
    taskId: string,
    lookUp: NonNullable<IdempotencyOptions['refresh']>,
  ): Promise<IdempotentResponse> => {
    const current = await lookUp(actor, { status: 202, body: { task_id: taskId } })
    const status = (current.body as { status?: unknown } | null)?.status
    const ended = typeof status === 'string' && isTerminalStatus(status as never)
    const response = {
      status: ended ? 200 : 202,
      body: current.body,
      headers: { location: `/v1/tasks/${taskId}` },
    }
    await store(request, ref, response)
    return response
  }

  return {
    async withIdempotency(request, reply, actor, handler) {
      const key = readIdempotencyKey(request.headers['idempotency-key'])
      if (key === undefined) return send(reply, await handler(noProgress))
      const ref = { tenantId: actor.tenantId, credential: `${actor.kind}:${actor.id}`, key }
      const begun = await cache
        .begin({
          ...ref,
          requestHash: requestFingerprint(request.body),
          ttlMs: keyTtlMs,
          owner,
          lockMs,
          now: new Date(nowMs()),
        })
        .catch((error: unknown) => {
          // Running the request without its key could run it twice: refuse, retryable.
          if (!(error instanceof AionError) || error.kind !== 'unavailable') throw error
          void reply.header('retry-after', '1')
          throw new IdempotencyUnavailableError(
            { idempotencyKey: key, retryAfterSeconds: 1 },
            { cause: error },
          )
        })
      if (begun.outcome === 'started') return send(reply, await runOnce(request, ref, handler))
      if (begun.outcome === 'resumed') {
        // The request that held the key died; it had created its task, or nothing.
        const { taskId } = begun.record
        if (taskId === null) return send(reply, await runOnce(request, ref, handler))
        if (refresh !== undefined) {
          void reply.header('idempotent-replayed', 'true')
          return send(reply, await resume(request, actor, ref, taskId, refresh))
        }
      }
      if (begun.outcome === 'mismatch') throw new IdempotencyKeyReusedError({ idempotencyKey: key })
      const stored = storedResponse(begun.record.response)
      if (begun.record.state === 'in_progress' || stored === undefined) {
        void reply.header('retry-after', '1')
        throw new IdempotencyInProgressError({ idempotencyKey: key, retryAfterSeconds: 1 })
      }
      void reply.header('idempotent-replayed', 'true')
      return send(reply, await replay(actor, stored))
    },
  }
}

/**
 * A `refresh` answering with the task's current envelope (200), read by the
 * `task_id` of the stored body; the stored response when it names no task.
 */
export function currentEnvelope(
  controlPlane: Pick<ControlPlane, 'get'>,
): (actor: Actor, stored: IdempotentResponse) => Promise<IdempotentResponse> {
  return async function currentEnvelopeOf(actor, stored) {
    const taskId = (stored.body as { task_id?: unknown } | null)?.task_id
    if (typeof taskId !== 'string') return stored
    return { status: 200, body: await controlPlane.get(actor.tenantId, taskId) }
  }
}

const noProgress: IdempotencyProgress = { created: () => Promise.resolve() }

function send(reply: FastifyReply, response: IdempotentResponse): unknown {
  void reply.status(response.status)
  if (response.headers !== undefined) void reply.headers(response.headers)
  return response.body
}

function storedResponse(value: JsonValue | null): StoredResponse | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const { status, storedAtMs, headers } = value
  if (typeof status !== 'number' || typeof storedAtMs !== 'number') return undefined
  const validHeaders = typeof headers === 'object' && headers !== null && !Array.isArray(headers)
  return {
    status,
    body: value.body ?? null,
    headers: validHeaders ? (headers as Record<string, string>) : {},
    storedAtMs,
  }
}
