/**
 * Draining the orchestrator on shutdown: in-flight tasks get until the
 * deadline to finish; the rest are stopped with the retryable
 * AION_CONTROL_DRAINING (ending `cancelled`) and every open stream ends.
 */
import { ControlDrainingError } from '../../core/errors/index.js'
import type { Store } from '../../storage/index.js'
import { toEnvelope } from '../lifecycle/task-envelope.js'
import type { TaskStreamHub } from '../streams/task-stream-hub.js'
import { within } from './bounded-wait.js'
import type { Orchestrator } from './orchestrator.js'

/** How long stopped tasks get to write their end before streams are closed regardless. */
const stopGraceMs = 2000

export async function drainOrchestrator(
  orchestrator: Orchestrator,
  hub: TaskStreamHub,
  store: Store,
  deadlineMs: number,
): Promise<void> {
  await within(orchestrator.whenIdle(), deadlineMs)
  const reason = new ControlDrainingError({ retryAfterSeconds: 5 })
  await Promise.all(orchestrator.contexts().map((ctx) => orchestrator.stop(ctx, reason)))
  await within(orchestrator.whenIdle(), stopGraceMs)
  const error = { code: reason.code, message: reason.message, retryable: true }
  for (const stream of hub.openStreams()) {
    const record = await store.tasks.get(stream.tenantId, stream.taskId).catch(() => undefined)
    if (record) stream.fail(error, toEnvelope(record))
  }
  hub.close()
}
