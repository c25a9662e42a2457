/**
 * One task's way through the orchestrator once a dispatcher took it:
 * route → `routed` (+ decision event) → a worker slot of its route →
 * `running` → engines with retries and fallbacks → a terminal status. Every
 * status is written by the task state machine; when a slot is free at once,
 * route and start are one write. The slot is freed once the engines are done,
 * before the end is written. A task the submission already started (see
 * `startNow` in the orchestrator) begins at the engines.
 */
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import type { ControlSettings } from '../../core/settings/index.js'
import { TaskTimedOutError } from '../../core/errors/index.js'
import { executeWithFallback, targetsOf } from '../execution/engine-attempts.js'
import type { ExecutionDeps } from '../execution/execution-deps.js'
import type { ActiveRegistries, TaskContext } from '../execution/task-context.js'
import { metricEvent, type ExecutionMetric } from '../lifecycle/platform-topics.js'
import { engineOf } from '../lifecycle/task-machine.js'
import type { EngineState, Router, RoutingFeatures } from '../router/router-port.js'
import { advance, endLeftover, finishTask, stopTask, type EndDeps } from './task-finish.js'
import { taskError } from '../lifecycle/task-errors.js'
import type { WorkerLane } from './worker-lane.js'

export interface RunnerDeps extends EndDeps {
  readonly router: Router
  readonly engines: EngineState
  readonly execution: ExecutionDeps
  readonly settings: ControlSettings
  readonly lane: (route: RoutingDecision['route']) => WorkerLane
  /** Called once the task holds a worker slot or gave up waiting: it left the queue. */
  readonly leftQueue: () => void
  /** Called once routing is over (a routing slot frees). */
  readonly routed: () => void
}

/** The task's deadline: the setting, or the request's latency target when shorter. */
function timeoutMsOf(ctx: TaskContext, settings: ControlSettings): number {
  const requested = ctx.request.max_latency_ms
  return requested === undefined
    ? settings.taskTimeoutMs
    : Math.min(requested, settings.taskTimeoutMs)
}

/** The one place a task's route is decided (the submission's fast path and the runner both ask here). */
export function askRouter(
  deps: Pick<RunnerDeps, 'router' | 'engines'>,
  registries: ActiveRegistries,
  features: RoutingFeatures,
  signal?: AbortSignal,
): Promise<RoutingDecision> {
  return deps.router.decide(
    {
      features,
      registries: registries.set,
      registryVersion: registries.version,
      engines: deps.engines,
    },
    signal,
  )
}

/** Asks the router; undefined when the task ended instead (its end is written). */
async function decide(deps: RunnerDeps, ctx: TaskContext): Promise<RoutingDecision | undefined> {
  const signal = ctx.abort.signal
  try {
    return await askRouter(deps, ctx.registries, ctx.features, signal)
  } catch (error) {
    if (signal.aborted) await stopTask(deps, ctx, signal.reason)
    else {
      await finishTask(deps, ctx, {
        status: 'failed',
        fields: { error: taskError(error, deps.logger, ctx.taskId) },
      })
    }
    return undefined
  }
}

/**
 * Holds a worker slot of the decision's route: at once when one is free,
 * else after persisting `routed` and waiting. False when the task ended
 * instead (its end is written).
 */
async function takeSlot(
  deps: RunnerDeps,
  ctx: TaskContext,
  decision: RoutingDecision,
  lane: WorkerLane,
): Promise<boolean> {
  if (lane.tryAcquire()) return true
  if (!(await advance(ctx, (current) => deps.machine.route(current, decision)))) return false
  try {
    await lane.acquire(ctx.abort.signal)
    return true
  } catch (reason) {
    await stopTask(deps, ctx, reason)
    return false
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
    let held: boolean
    try {
      held = await takeSlot(deps, ctx, decision, lane)
    } finally {
      leave()
    }
    if (!held) return
    const release = releaseOnce(lane)
    try {
      const started = await advance(ctx, (current) => deps.machine.start(current, decision))
      if (started) await execute(deps, ctx, decision, release)
    } finally {
      release()
    }
  })
}

/**
 * Frees the slot once, whichever comes first: the engines are done (the end
 * is still being written, which needs no engine, and the next task's start
 * can share its commit), or the runner stops.
 */
function releaseOnce(lane: WorkerLane): () => void {
  let held = true
  return () => {
    if (held) lane.release()
    held = false
  }
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
      const release = releaseOnce(lane)
      try {
        await execute(deps, ctx, decision, release)
      } finally {
        release()
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
    await finishTask(deps, ctx, {
      status: 'failed',
      fields: { error: taskError(error, deps.logger, ctx.taskId) },
    }).catch(() => undefined)
  } finally {
    leave()
    // A runner that stopped without ending the stream: another writer ended the task.
    if (ctx.stream.final === undefined) await endLeftover(deps, ctx).catch(() => undefined)
  }
}

/** Runs the engines, calls `enginesDone`, then writes the task's end. */
async function execute(
  deps: RunnerDeps,
  ctx: TaskContext,
  decision: RoutingDecision,
  enginesDone: () => void,
) {
  const timeoutMs = timeoutMsOf(ctx, deps.settings)
  ctx.deadlineAt = Date.now() + timeoutMs
  const timer = setTimeout(
    () => ctx.abort.abort(new TaskTimedOutError({ taskId: ctx.taskId, timeoutMs })),
    timeoutMs,
  )
  timer.unref()
  const metrics: ExecutionMetric[] = []
  try {
    let result
    try {
      result = await executeWithFallback(
        deps.execution,
        ctx,
        targetsOf(decision),
        deps.settings,
        metrics,
      )
    } finally {
      enginesDone()
    }
    const events = metrics.map((m) => metricEvent(ctx.tenantId, ctx.taskId, m))
    if (result.ok) {
      const { outcome, target } = result
      await finishTask(deps, ctx, {
        status: 'succeeded',
        fields: {
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
        events,
        usage: result.usage,
      })
      return
    }
    const engine = result.target
      ? { route: result.target.route, engine: engineOf(result.target) }
      : {}
    // The time the attempts ran, though none succeeded.
    const spent = { input_tokens: 0, output_tokens: 0, cost_usd: 0, duration_ms: result.durationMs }
    const extra = { fields: { ...engine, usage: spent }, events, usage: result.usage }
    if (result.aborted) {
      await stopTask(deps, ctx, result.error, extra)
      return
    }
    await finishTask(deps, ctx, {
      status: 'failed',
      ...extra,
      fields: { ...extra.fields, error: taskError(result.error, deps.logger, ctx.taskId) },
    })
  } finally {
    clearTimeout(timer)
  }
}
