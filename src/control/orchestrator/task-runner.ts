/**
 * One task's way through the orchestrator once a dispatcher took it:
 * route → `routed` (+ decision event) → a worker slot of its route →
 * `running` → engines with retries and fallbacks → a terminal status.
 * When a slot is free at once, `routed` and `running` are one write; a task
 * the submission already wrote `running` (see `startAdmitted` in the
 * orchestrator) starts at the engines.
 */
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import type { ControlSettings } from '../../core/settings/index.js'
import { TaskTimedOutError } from '../../core/errors/index.js'
import type { JsonValue, Store, TaskEngine } from '../../storage/index.js'
import { executeWithFallback, targetsOf } from '../execution/engine-attempts.js'
import type { EngineTarget, ExecutionDeps } from '../execution/execution-deps.js'
import type { TaskContext } from '../execution/task-context.js'
import {
  decisionEvent,
  lifecycleEvent,
  type ExecutionMetric,
} from '../lifecycle/platform-topics.js'
import type { EngineState, Router } from '../router/router-port.js'
import { abortStatus, advanceTask, finishTask, taskError, type TaskLogger } from './task-finish.js'
import type { WorkerLane } from './worker-lane.js'

export interface RunnerDeps {
  readonly store: Store
  readonly router: Router
  readonly engines: EngineState
  readonly execution: ExecutionDeps
  readonly settings: ControlSettings
  readonly logger: TaskLogger
  readonly lane: (route: RoutingDecision['route']) => WorkerLane
  /** Called once the task holds a worker slot or gave up waiting: it left the queue. */
  readonly leftQueue: () => void
  /** Called once routing is over (a routing slot frees). */
  readonly routed: () => void
}

function engineOf(target: EngineTarget): TaskEngine {
  return { ...target.engine, tier: target.engine.tier ?? target.tier }
}

/** The task's deadline: the setting, or the request's latency target when shorter. */
function timeoutMsOf(ctx: TaskContext, settings: ControlSettings): number {
  const requested = ctx.request.max_latency_ms
  return requested === undefined
    ? settings.taskTimeoutMs
    : Math.min(requested, settings.taskTimeoutMs)
}

/** Asks the router; undefined when the task ended instead (its end is written). */
async function decide(deps: RunnerDeps, ctx: TaskContext): Promise<RoutingDecision | undefined> {
  const signal = ctx.abort.signal
  try {
    return await deps.router.decide(
      {
        features: ctx.features,
        registries: ctx.registries.set,
        registryVersion: ctx.registries.version,
        engines: deps.engines,
      },
      signal,
    )
  } catch (error) {
    const stop = signal.aborted ? signal.reason : error
    const status = signal.aborted ? abortStatus(stop) : 'failed'
    await finishTask(deps.store, deps.logger, ctx, {
      from: 'queued',
      patch: { status, error: taskError(stop, deps.logger, ctx.taskId) },
    })
    return undefined
  }
}

/** The task columns a routing decision sets. */
export function decisionPatch(decision: RoutingDecision) {
  return {
    route: decision.route,
    engine: engineOf(decision),
    decision: decision as unknown as JsonValue,
    updated_at: new Date().toISOString(),
  }
}

/** Persists `routed` with the decision, for a task that must wait for a worker slot. */
async function persistRouted(
  deps: RunnerDeps,
  ctx: TaskContext,
  decision: RoutingDecision,
): Promise<boolean> {
  const record = await advanceTask(deps.store, ctx, {
    from: 'queued',
    patch: { status: 'routed', ...decisionPatch(decision) },
    events: (rec) => [decisionEvent(rec, decision)],
  })
  return record !== undefined
}

/**
 * Persists `running`. From `queued` (a worker slot was free at once) the
 * decision is written in the same change, and the event log still shows the
 * task `routed` with its decision first.
 */
async function persistRunning(
  deps: RunnerDeps,
  ctx: TaskContext,
  decision: RoutingDecision,
  from: 'queued' | 'routed',
): Promise<boolean> {
  const now = new Date().toISOString()
  const record =
    from === 'routed'
      ? await advanceTask(deps.store, ctx, {
          from,
          patch: { status: 'running', updated_at: now },
        })
      : await advanceTask(deps.store, ctx, {
          from,
          patch: { status: 'running', ...decisionPatch(decision), updated_at: now },
          before: (rec) => [
            lifecycleEvent({ ...rec, status: 'routed' }),
            decisionEvent(rec, decision),
          ],
        })
  return record !== undefined
}

/**
 * Holds a worker slot of the decision's route: at once when one is free,
 * else after persisting `routed` and waiting. Undefined when the task ended
 * instead (its end is written); otherwise the status it is in.
 */
async function takeSlot(
  deps: RunnerDeps,
  ctx: TaskContext,
  decision: RoutingDecision,
  lane: WorkerLane,
): Promise<'queued' | 'routed' | undefined> {
  if (lane.tryAcquire()) return 'queued'
  if (!(await persistRouted(deps, ctx, decision))) return undefined
  try {
    await lane.acquire(ctx.abort.signal)
    return 'routed'
  } catch (reason) {
    await finishTask(deps.store, deps.logger, ctx, {
      from: 'routed',
      patch: { status: abortStatus(reason), error: taskError(reason, deps.logger, ctx.taskId) },
    })
    return undefined
  }
}

/** Runs the task to its end; never throws. */
export async function runTask(deps: RunnerDeps, ctx: TaskContext): Promise<void> {
  let inQueue = true
  const leave = () => {
    if (inQueue) deps.leftQueue()
    inQueue = false
  }
  await guarded(deps, ctx, leave, async () => {
    let decision: RoutingDecision | undefined
    try {
      decision = await decide(deps, ctx)
    } finally {
      deps.routed()
    }
    if (!decision) return
    const lane = deps.lane(decision.route)
    let status: 'queued' | 'routed' | undefined
    try {
      status = await takeSlot(deps, ctx, decision, lane)
    } finally {
      leave()
    }
    if (status === undefined) return
    try {
      if (await persistRunning(deps, ctx, decision, status)) await execute(deps, ctx, decision)
    } finally {
      lane.release()
    }
  })
}

/**
 * Runs a task the submission wrote `running` with `decision`, holding a slot
 * of `lane`, to its end; never throws.
 */
export async function runStarted(
  deps: RunnerDeps,
  ctx: TaskContext,
  decision: RoutingDecision,
  lane: WorkerLane,
): Promise<void> {
  await guarded(
    deps,
    ctx,
    () => undefined,
    async () => {
      try {
        await execute(deps, ctx, decision)
      } finally {
        lane.release()
      }
    },
  )
}

/** Runs `body`; an unexpected failure ends the task `failed`, and the stream always ends. */
async function guarded(
  deps: RunnerDeps,
  ctx: TaskContext,
  leave: () => void,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body()
  } catch (error) {
    deps.logger.error({ err: error, taskId: ctx.taskId }, 'task runner failed')
    await finishTask(deps.store, deps.logger, ctx, {
      from: ['queued', 'routed', 'running'],
      patch: { status: 'failed', error: taskError(error, deps.logger, ctx.taskId) },
    }).catch(() => undefined)
  } finally {
    leave()
    if (ctx.stream.final === undefined) await endLeftoverStream(deps, ctx)
  }
}

/** A runner that stopped without ending the stream (another writer ended the task). */
async function endLeftoverStream(deps: RunnerDeps, ctx: TaskContext): Promise<void> {
  await finishTask(deps.store, deps.logger, ctx, {
    from: [],
    patch: { status: 'failed' },
  }).catch(() => undefined)
}

async function execute(deps: RunnerDeps, ctx: TaskContext, decision: RoutingDecision) {
  const timeoutMs = timeoutMsOf(ctx, deps.settings)
  ctx.deadlineAt = Date.now() + timeoutMs
  const timer = setTimeout(
    () => ctx.abort.abort(new TaskTimedOutError({ taskId: ctx.taskId, timeoutMs })),
    timeoutMs,
  )
  timer.unref()
  const metrics: ExecutionMetric[] = []
  try {
    const result = await executeWithFallback(
      deps.execution,
      ctx,
      targetsOf(decision),
      deps.settings,
      metrics,
    )
    if (result.ok) {
      const { outcome, target } = result
      await finishTask(deps.store, deps.logger, ctx, {
        from: 'running',
        patch: {
          status: 'succeeded',
          route: target.route,
          engine: engineOf(target),
          output: outcome.output,
          usage: {
            input_tokens: outcome.inputTokens,
            output_tokens: outcome.outputTokens,
            cost_usd: outcome.costUsd,
            duration_ms: outcome.durationMs,
          },
        },
        metrics,
        usage: result.usage,
      })
      return
    }
    const engine = result.target
      ? { route: result.target.route, engine: engineOf(result.target) }
      : {}
    await finishTask(deps.store, deps.logger, ctx, {
      from: 'running',
      patch: {
        status: result.aborted ? abortStatus(result.error) : 'failed',
        ...engine,
        error: taskError(result.error, deps.logger, ctx.taskId),
        usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0, duration_ms: result.durationMs },
      },
      metrics,
      usage: result.usage,
    })
  } finally {
    clearTimeout(timer)
  }
}
