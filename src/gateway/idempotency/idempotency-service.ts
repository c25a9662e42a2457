/**
 * `Idempotency-Key` for `POST /v1/tasks`: the same key with the same body
 * answers the same response without running the handler again; with another
 * body → 422; while the first request is still being accepted → 409 with
 * `Retry-After: 1`. Keys are scoped per tenant and credential, kept 24 h;
 * the stored response is replayed for 15 min, after that a fresh one (the
 * task's current envelope) when a `refresh` is given.
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
import type { Actor, ControlPlane } from '../../control/control-plane.js'
import { IdempotencyInProgressError, IdempotencyKeyReusedError } from '../../core/errors/index.js'
import type { IdempotencyCache, IdempotencyCacheRef, JsonValue } from './idempotency-cache.js'
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
    handler: () => Promise<IdempotentResponse>,
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
  const replayWindowMs = options.replayWindowMs ?? 15 * 60 * 1000
  const nowMs = options.nowMs ?? Date.now

  const replay = async (actor: Actor, stored: StoredResponse): Promise<IdempotentResponse> => {
    if (refresh === undefined || nowMs() - stored.storedAtMs <= replayWindowMs) return stored
    return refresh(actor, stored)
  }

  const runOnce = async (
    request: FastifyRequest,
    ref: IdempotencyCacheRef,
    handler: () => Promise<IdempotentResponse>,
  ): Promise<IdempotentResponse> => {
    let response: IdempotentResponse
    try {
      response = await handler()
    } catch (error) {
      await cache.release(ref).catch((releaseError: unknown) => {
        request.log.error({ err: releaseError }, 'idempotency: releasing the key failed')
      })
      throw error
    }
    const stored: StoredResponse = {
      status: response.status,
      body: response.body as JsonValue,
      headers: response.headers ?? {},
      storedAtMs: nowMs(),
    }
    // The task exists: answer it even if the cache write fails (a retry then sees 409 until the key expires).
    await cache.complete(ref, stored as unknown as JsonValue).catch((error: unknown) => {
      request.log.error({ err: error }, 'idempotency: storing the response failed')
    })
    return response
  }

  return {
    async withIdempotency(request, reply, actor, handler) {
      const key = readIdempotencyKey(request.headers['idempotency-key'])
      if (key === undefined) return send(reply, await handler())
      const ref = { tenantId: actor.tenantId, credential: `${actor.kind}:${actor.id}`, key }
      const begun = await cache.begin({
        ...ref,
        requestHash: requestFingerprint(request.body),
        ttlMs: keyTtlMs,
        now: new Date(nowMs()),
      })
      if (begun.outcome === 'started') return send(reply, await runOnce(request, ref, handler))
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
