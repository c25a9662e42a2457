/**
 * The orchestrator: a bounded queue of admitted tasks, a dispatcher that
 * routes them, and one worker lane per route (`settings.workers`). Admission
 * is decided in O(1) before anything is written: a slot is reserved first and
 * handed back if the submission fails.
 */
import type { ResultEnvelope, Route, RoutingDecision } from '../../../contracts/generated/index.js'
import type { ControlSettings } from '../../core/settings/index.js'
import type { Store } from '../../storage/index.js'
import type { ExecutionDeps } from '../execution/execution-deps.js'
import type { ActiveRegistries, TaskContext } from '../execution/task-context.js'
import type { LiveTasks } from '../lifecycle/task-cancel.js'
import type { TaskLogger } from '../lifecycle/task-errors.js'
import { toEnvelope } from '../lifecycle/task-envelope.js'
import type { TaskMachine } from '../lifecycle/task-machine.js'
import type { EngineState, Router, RoutingFeatures } from '../router/router-port.js'
import { within } from './bounded-wait.js'
import { FifoQueue } from './fifo-queue.js'
import { stopTask } from './task-finish.js'
import { askRouter, runStarted, runTask, type RunnerDeps } from './task-runner.js'
import { WorkerLane } from './worker-lane.js'

/** How long a cancel waits for the runner to write the end before answering as it is. */
const settleMs = 10_000

/** A task that starts within its submission: the decision and the worker slot it holds. */
export interface StartNow {
  readonly decision: RoutingDecision
  readonly lane: WorkerLane
}

export interface OrchestratorOptions {
  readonly store: Store
  readonly machine: TaskMachine
  readonly router: Router
  readonly engines: EngineState
  readonly execution: ExecutionDeps
  readonly settings: ControlSettings
  readonly logger: TaskLogger
}

/** Queue, dispatch and worker lanes of the embedded control plane. */
export class Orchestrator implements LiveTasks {
  readonly #options: OrchestratorOptions
  readonly #pending = new FifoQueue<TaskContext>()
  readonly #lanes: Record<Route, WorkerLane>
  readonly #inflight = new Map<string, TaskContext>()
  readonly #runner: RunnerDeps
  readonly #routingLimit: number
  /** Admitted tasks that hold no worker slot yet (pending, routing, or waiting for a lane). */
  #queued = 0
  #routing = 0
  #idleWaiters: (() => void)[] = []

  constructor(options: OrchestratorOptions) {
    this.#options = options
    const { workers } = options.settings
    this.#lanes = {
      local: new WorkerLane(workers.local),
      api: new WorkerLane(workers.api),
      hybrid: new WorkerLane(workers.hybrid),
    }
    // Routing is quick; bounding it still keeps a burst from deciding long before it can run.
    this.#routingLimit = workers.local + workers.api + workers.hybrid
    this.#runner = {
      ...options,
      lane: (route) => this.#lanes[route],
      leftQueue: () => {
        this.#queued--
      },
      routed: () => {
        this.#routing--
        this.#pump()
      },
    }
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.#queued
  }

  /** Tasks admitted and not ended. */
  get inflight(): number {
    return this.#inflight.size
  }

  /** Takes a queue slot if one is free (O(1)); the caller must `enqueue` or `unreserve`. */
  tryReserve(): boolean {
    if (this.#queued >= this.#options.settings.queueCapacity) return false
    this.#queued++
    return true
  }

  unreserve(): void {
    this.#queued--
  }

  /** Queues a task whose slot was reserved (recovery passes `force` to bypass the bound). */
  enqueue(ctx: TaskContext, force = false): void {
    if (force) this.#queued++
    this.#track(ctx)
    this.#pending.push(ctx)
    this.#pump()
  }

  /**
   * The decision and a held worker slot for a task that can start within its
   * submission: the rules alone decide (no router model to ask, which could
   * take its timeout), nobody waits before it, and its route has a free
   * slot. Undefined otherwise, or when the rules refuse it — the runner then
   * routes it as usual and ends it with the refusal. The caller admits the
   * task `running` and calls {@link startAdmitted}, or gives the slot back
   * (`lane.release()`).
   */
  async startNow(
    registries: ActiveRegistries,
    features: RoutingFeatures,
  ): Promise<StartNow | undefined> {
    if (registries.set.policies.routing.router_model !== undefined) return undefined
    if (this.#pending.size > 0) return undefined
    let decision: RoutingDecision
    try {
      decision = await askRouter(this.#options, registries, features)
    } catch {
      return undefined
    }
    // Routing awaited: someone may have queued meanwhile, and must not be overtaken.
    if (this.#pending.size > 0) return undefined
    const lane = this.#lanes[decision.route]
    return lane.tryAcquire() ? { decision, lane } : undefined
  }

  /**
   * Runs a task the submission wrote `running` with its decision, in the slot
   * {@link startNow} gave; its queue reservation is handed back.
   */
  startAdmitted(ctx: TaskContext, decision: RoutingDecision, lane: WorkerLane): void {
    this.#queued--
    this.#track(ctx)
    ctx.phase = 'started'
    void runStarted(this.#runner, ctx, decision, lane)
  }

  #track(ctx: TaskContext): void {
    this.#inflight.set(ctx.taskId, ctx)
    void ctx.stream.whenEnded().then(() => this.#ended(ctx))
  }

  /** The task's context while it is in this process. */
  context(taskId: string): TaskContext | undefined {
    return this.#inflight.get(taskId)
  }

  /**
   * Stops a task with `reason` (an AionError: cancelled, timed out, draining).
   * One not yet dispatched is ended here; a dispatched one by its runner.
   */
  async stop(ctx: TaskContext, reason: unknown): Promise<void> {
    if (ctx.phase === 'pending' && this.#pending.remove(ctx)) {
      ctx.phase = 'started'
      this.#queued--
      ctx.abort.abort(reason)
      await stopTask(this.#options, ctx, reason)
      return
    }
    ctx.abort.abort(reason)
  }

  async stopLive(
    tenantId: string,
    taskId: string,
    reason: unknown,
  ): Promise<ResultEnvelope | undefined> {
    const ctx = this.#inflight.get(taskId)
    if (!ctx || ctx.tenantId !== tenantId) return undefined
    await this.stop(ctx, reason)
    return (await within(ctx.stream.whenEnded(), settleMs)) ?? toEnvelope(ctx.record)
  }

  /** Every task in this process. */
  contexts(): TaskContext[] {
    return [...this.#inflight.values()]
  }

  /** Resolves when no task is in flight. */
  whenIdle(): Promise<void> {
    if (this.#inflight.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  #pump(): void {
    while (this.#routing < this.#routingLimit) {
      const ctx = this.#pending.shift()
      if (!ctx) return
      ctx.phase = 'started'
      this.#routing++
      void runTask(this.#runner, ctx)
    }
  }

  #ended(ctx: TaskContext): void {
    if (this.#inflight.get(ctx.taskId) !== ctx) return
    this.#inflight.delete(ctx.taskId)
    if (this.#inflight.size > 0 || this.#idleWaiters.length === 0) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const wake of waiters) wake()
  }
}
