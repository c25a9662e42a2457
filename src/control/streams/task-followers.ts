/**
 * Following a task from outside: its stream while it is in memory, else its
 * stored envelope. A task in the store but not in memory and not ended (run
 * by another process, or waiting for recovery) is polled until it ends or
 * shows up here.
 */
import type { ResultEnvelope, StreamEvent } from '../../../contracts/generated/index.js'
import { TaskNotFoundError } from '../../core/errors/index.js'
import type { Store, TaskRecord } from '../../storage/index.js'
import { isTerminal, toEnvelope } from '../lifecycle/task-envelope.js'
import { sleep } from '../resilience/retry-backoff.js'
import type { TaskStream } from './task-stream.js'
import type { TaskStreamHub } from './task-stream-hub.js'

export interface FollowDeps {
  readonly store: Store
  readonly hub: TaskStreamHub
}

const pollMs = 500

type Found = { readonly stream: TaskStream } | { readonly record: TaskRecord }

async function find(deps: FollowDeps, tenantId: string, taskId: string): Promise<Found> {
  const stream = deps.hub.get(taskId)
  if (stream) {
    if (stream.tenantId !== tenantId) throw new TaskNotFoundError({ taskId })
    return { stream }
  }
  const record = await deps.store.tasks.get(tenantId, taskId)
  if (!record) throw new TaskNotFoundError({ taskId })
  // The task may have been queued here between the two reads.
  const late = deps.hub.get(taskId)
  return late ? { stream: late } : { record }
}

/** Stream events after `afterSeq`, replayed then live; a task known only to the store gets one `done`. */
export async function* followTask(
  deps: FollowDeps,
  tenantId: string,
  taskId: string,
  afterSeq: number,
  signal?: AbortSignal,
): AsyncGenerator<StreamEvent> {
  for (;;) {
    const found = await find(deps, tenantId, taskId)
    if ('stream' in found) {
      yield* found.stream.subscribe(afterSeq, signal)
      return
    }
    if (isTerminal(found.record.status)) {
      const envelope = toEnvelope(found.record)
      yield { event: 'done', task_id: taskId, seq: Math.max(0, afterSeq) + 1, envelope }
      return
    }
    if (!(await pause(signal))) return
  }
}

/** The envelope once the task ends, or as it is when `timeoutMs` passes or `signal` aborts. */
export async function waitForTask(
  deps: FollowDeps,
  tenantId: string,
  taskId: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ResultEnvelope> {
  // The common case (`Prefer: wait` on a task just submitted here): its stream
  // is in memory, so wait for its end without an AbortController.
  const stream = deps.hub.get(taskId)
  if (stream !== undefined && stream.tenantId === tenantId) {
    return endOf(deps, stream, (ended) => endedOrStopped(ended, timeoutMs, signal))
  }
  // A timer and a listener rather than AbortSignal.any/timeout: cheap per request, nothing left behind.
  const stop = new AbortController()
  const timer = setTimeout(() => stop.abort(), Math.max(0, timeoutMs))
  const onAbort = () => stop.abort()
  if (signal?.aborted) stop.abort()
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    return await waitUntil(deps, tenantId, taskId, stop.signal)
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}

async function waitUntil(
  deps: FollowDeps,
  tenantId: string,
  taskId: string,
  stop: AbortSignal,
): Promise<ResultEnvelope> {
  for (;;) {
    const found = await find(deps, tenantId, taskId)
    if ('stream' in found) return endOf(deps, found.stream, (ended) => untilAborted(ended, stop))
    if (isTerminal(found.record.status) || stop.aborted) return toEnvelope(found.record)
    if (!(await pause(stop))) return toEnvelope(await stored(deps, tenantId, taskId))
  }
}

/** The stream's final envelope once `until` lets go of its end (the stored task if it did not end). */
async function endOf(
  deps: FollowDeps,
  stream: TaskStream,
  until: (ended: Promise<unknown>) => Promise<unknown>,
): Promise<ResultEnvelope> {
  if (stream.final) return stream.final
  await until(stream.whenEnded())
  return stream.final ?? toEnvelope(await stored(deps, stream.tenantId, stream.taskId))
}

async function stored(deps: FollowDeps, tenantId: string, taskId: string): Promise<TaskRecord> {
  const record = await deps.store.tasks.get(tenantId, taskId)
  if (!record) throw new TaskNotFoundError({ taskId })
  return record
}

/** False when the signal aborted during the pause. */
async function pause(signal?: AbortSignal): Promise<boolean> {
  try {
    await sleep(pollMs, signal ?? new AbortController().signal)
    return true
  } catch {
    return false
  }
}

/** Resolves when `ended` settles, `timeoutMs` passes or `signal` aborts, whichever comes first. */
function endedOrStopped(
  ended: Promise<unknown>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, Math.max(0, timeoutMs))
    if (signal?.aborted) return done()
    signal?.addEventListener('abort', done, { once: true })
    void ended.then(done, done)
  })
}

function untilAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const onAbort = () => resolve(undefined)
    signal.addEventListener('abort', onAbort, { once: true })
    void promise.then((value) => {
      signal.removeEventListener('abort', onAbort)
      resolve(value)
    })
  })
}
