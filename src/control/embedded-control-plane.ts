/**
 * The control plane running in the same process as the gateway: admission
 * (validation, features, bounded queue), the orchestrator, task streams,
 * policy versions, the event log, recovery and drain.
 */
import type { Logger } from 'pino'
import type { ResultEnvelope, StreamEvent } from '../../contracts/generated/index.js'
import {
  ControlDrainingError,
  ControlQueueFullError,
  TaskCancelledError,
  TaskNotFoundError,
  UnknownIntentError,
} from '../core/errors/index.js'
import { processInstanceId } from '../core/process-instance.js'
import type { ControlSettings } from '../core/settings/index.js'
import type { ProviderSet } from '../providers/model-provider.js'
import type { ModuleExecutor } from '../runtime/module-executor.js'
import { groupCommit, type Store } from '../storage/index.js'
import type { JsonValue } from '../core/domain/index.js'
import type { BudgetLedger } from './budget/budget-ledger.js'
import type {
  ApiKeyView,
  ControlPlane,
  CreatedApiKey,
  DeviceReading,
  NewKeyCommand,
  PlatformEvent,
  Readiness,
  ReadinessCheck,
  SubmitCommand,
} from './control-plane.js'
import type { Actor, InstalledModule, ModulePackage, PolicyVersion } from '../core/domain/index.js'
import {
  createTaskContext,
  featuresOrStrictest,
  type ActiveRegistries,
} from './execution/task-context.js'
import { createKey, listKeys, revokeKey } from './keys/tenant-keys.js'
import { writeAudit } from './lifecycle/audit-writes.js'
import { cancelTask } from './lifecycle/task-cancel.js'
import { newTaskId, toEnvelope } from './lifecycle/task-envelope.js'
import { TaskMachine } from './lifecycle/task-machine.js'
import { recoverTasks } from './lifecycle/task-recovery.js'
import { CircuitBreakers } from './resilience/circuit-breaker.js'
import { createEngineState } from './resilience/engine-health.js'
import { LatencyTracker } from './resilience/latency-tracker.js'
import { ModuleInstalls } from './modules/module-installs.js'
import { Orchestrator } from './orchestrator/orchestrator.js'
import { drainOrchestrator } from './orchestrator/drain.js'
import { PolicyManager } from './policy/policy-manager.js'
import type { Router } from './router/router-port.js'
import { followTask, waitForTask } from './streams/task-followers.js'
import { TaskStreamHub } from './streams/task-stream-hub.js'
import { ServingSchemas } from './submission/serving-schema.js'
import { buildFeatures } from './submission/task-features.js'

/** What the embedded control plane is built from (the server's composition root wires it). */
export interface EmbeddedControlPlaneOptions {
  readonly store: Store
  /** The active registry set with the version the store gave it. */
  readonly registries: ActiveRegistries
  readonly router: Router
  readonly providers: ProviderSet
  readonly modules: ModuleExecutor
  readonly budget: BudgetLedger
  readonly settings: ControlSettings
  /** Where `reloadPolicies` reads the registry files from (settings' `configDir`). */
  readonly configDir: string
  readonly logger: Logger
  /**
   * Told at `recover()` what each tenant already spent today (from
   * `usage_billing`), e.g. `(t, usd) => ledger.seed(t, usd)`, so a restart
   * does not reset the daily cap. @default undefined: not seeded
   */
  readonly seedBudget?: (tenantId: string, spentTodayUsd: number) => void
  /** How long an ended task's stream stays replayable from memory. @default 120000 */
  readonly streamRetentionMs?: number
  /** Package installs (admin API). @default none: installs answer AION_MODULE_INSTALL_UNAVAILABLE */
  readonly installs?: ModuleInstalls
  /** Who holds the leases of this control plane's tasks. @default this process's instance id */
  readonly instanceId?: string
}

/** The control plane in the gateway's process. Call `recover()` before taking work. */
export class EmbeddedControlPlane implements ControlPlane {
  readonly #store: Store
  readonly #settings: ControlSettings
  readonly #logger: Logger
  readonly #policies: PolicyManager
  readonly #schemas: ServingSchemas
  readonly #hub: TaskStreamHub
  readonly #orchestrator: Orchestrator
  readonly #seedBudget: EmbeddedControlPlaneOptions['seedBudget']
  readonly #installs: ModuleInstalls
  readonly #modules: ModuleExecutor
  readonly #machine: TaskMachine
  #leaseTimer: NodeJS.Timeout | undefined
  #draining = false

  constructor(options: EmbeddedControlPlaneOptions) {
    this.#store = options.store
    this.#settings = options.settings
    this.#logger = options.logger
    this.#seedBudget = options.seedBudget
    this.#modules = options.modules
    this.#installs =
      options.installs ?? new ModuleInstalls({ store: options.store, logger: options.logger })
    this.#policies = new PolicyManager(options.store, options.configDir, options.registries)
    this.#schemas = new ServingSchemas(() => options.modules.modules())
    this.#hub = new TaskStreamHub({ retentionMs: options.streamRetentionMs ?? 120_000 })
    const breakers = new CircuitBreakers({
      failures: options.settings.breakerFailures,
      cooldownMs: options.settings.breakerCooldownMs,
    })
    const latency = new LatencyTracker()
    const execution = { ...options, breakers, latency }
    this.#machine = new TaskMachine({
      store: options.store,
      owner: options.instanceId ?? processInstanceId,
      leaseMs: options.settings.taskLeaseMs,
    })
    this.#orchestrator = new Orchestrator({
      store: options.store,
      machine: this.#machine,
      router: options.router,
      engines: createEngineState(breakers, latency, options.providers, options.modules),
      execution,
      settings: options.settings,
      logger: options.logger,
    })
  }

  /** The registry set in force now (rate limits and other edge settings read it per request). */
  get activeRegistries(): ActiveRegistries {
    return this.#policies.active
  }

  async readiness(): Promise<Readiness> {
    const { set, version } = this.#policies.active
    const checks: ReadinessCheck[] = [
      await this.#storeCheck(),
      { name: 'registries', ok: true, detail: `v${version} ${set.contentHash.slice(0, 12)}` },
      { name: 'accepting', ok: !this.#draining, detail: this.#draining ? 'draining' : 'open' },
    ]
    return { ready: checks.every((check) => check.ok), checks }
  }

  async submit(command: SubmitCommand): Promise<ResultEnvelope> {
    if (this.#draining) throw new ControlDrainingError({ retryAfterSeconds: 5 })
    const { actor, request } = command
    const registries = this.#policies.active
    const intent = registries.set.intents[request.intent]
    if (!intent) {
      const knownIntents = Object.keys(registries.set.intents).sort()
      throw new UnknownIntentError({ intent: request.intent, knownIntents })
    }
    this.#schemas.check(registries.set, request.intent, request.input)
    const features = buildFeatures(actor.tenantId, request, intent, registries.set)
    if (!this.#orchestrator.tryReserve()) {
      throw new ControlQueueFullError({
        capacity: this.#settings.queueCapacity,
        retryAfterSeconds: 1,
      })
    }
    const taskId = newTaskId()
    const now = new Date().toISOString()
    const start = command.waiting
      ? await this.#orchestrator.startNow(registries, features)
      : undefined
    let record
    try {
      record = await groupCommit(this.#store).run(async (tx, rows) => {
        const task = {
          task_id: taskId,
          tenant_id: actor.tenantId,
          intent: request.intent,
          request: request as unknown as JsonValue,
          trace_id: command.traceId,
          idempotency_key: command.idempotencyKey ?? null,
          created_at: now,
          updated_at: now,
        }
        // With `start`, admitted, routed and started in this one write, logged step by step.
        const created = await this.#machine.admit(tx, rows, task, start?.decision)
        const details = { intent: request.intent, route: features.requestedRoute }
        await writeAudit(
          tx,
          { actor, action: 'task.submit', target: taskId, outcome: 'success', details },
          now,
          rows,
        )
        return created
      })
    } catch (error) {
      start?.lane.release()
      this.#orchestrator.unreserve()
      throw error
    }
    const task = {
      taskId: record.task_id,
      tenantId: actor.tenantId,
      request,
      traceId: command.traceId,
      registries,
      features,
      record,
    }
    const ctx = createTaskContext(task, this.#hub)
    if (start) this.#orchestrator.startAdmitted(ctx, start.decision, start.lane)
    else this.#orchestrator.enqueue(ctx)
    return toEnvelope(record)
  }

  async get(tenantId: string, taskId: string): Promise<ResultEnvelope> {
    const stream = this.#hub.get(taskId)
    if (stream?.final && stream.tenantId === tenantId) return stream.final
    const record = await this.#store.tasks.get(tenantId, taskId)
    if (!record) throw new TaskNotFoundError({ taskId })
    return toEnvelope(record)
  }

  waitForEnd(
    tenantId: string,
    taskId: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<ResultEnvelope> {
    return waitForTask(this.#followDeps(), tenantId, taskId, timeoutMs, signal)
  }

  events(
    tenantId: string,
    taskId: string,
    afterSeq: number,
    signal?: AbortSignal,
  ): AsyncIterable<StreamEvent> {
    return followTask(this.#followDeps(), tenantId, taskId, afterSeq, signal)
  }

  cancel(actor: Actor, taskId: string): Promise<ResultEnvelope> {
    return cancelTask(
      {
        store: this.#store,
        machine: this.#machine,
        live: this.#orchestrator,
        logger: this.#logger,
      },
      actor,
      taskId,
      new TaskCancelledError({ taskId }),
    )
  }

  reloadPolicies(actor: Actor, sources?: Readonly<Record<string, string>>): Promise<PolicyVersion> {
    return this.#policies.reload(actor, sources)
  }

  policyVersions(_tenantId: string): Promise<readonly PolicyVersion[]> {
    return this.#policies.versions()
  }

  rollbackPolicies(actor: Actor, version: number): Promise<PolicyVersion> {
    return this.#policies.rollback(actor, version)
  }

  installModule(actor: Actor, reference: string): Promise<InstalledModule> {
    return this.#installs.install(actor, reference)
  }

  listModules(tenantId: string): Promise<readonly ModulePackage[]> {
    return this.#installs.list(tenantId)
  }

  devices(): Promise<readonly DeviceReading[]> {
    return this.#modules.devices?.() ?? Promise.resolve([])
  }

  async platformEvents(
    afterId: number,
    limit: number,
    topic?: string,
    tenantId?: string,
  ): Promise<readonly PlatformEvent[]> {
    const events = await this.#store.outbox.list(afterId, limit, topic, tenantId)
    return events.map((e) => ({
      id: e.id,
      tenantId: e.tenantId,
      topic: e.topic,
      key: e.key,
      payload: e.payload,
      createdAt: e.createdAt,
    }))
  }

  listKeys(actor: Actor): Promise<readonly ApiKeyView[]> {
    return listKeys(this.#store, actor)
  }

  createKey(actor: Actor, command: NewKeyCommand): Promise<CreatedApiKey> {
    return createKey(this.#store, actor, command)
  }

  revokeKey(actor: Actor, keyId: string): Promise<ApiKeyView> {
    return revokeKey(this.#store, actor, keyId)
  }

  /**
   * Startup recovery, before the gateway takes work, for every tenant: tasks
   * a stopped process left `running` fail with AION_TASK_INTERRUPTED
   * (retryable); tasks it left `queued` or `routed` (no engine call made)
   * run again here, as a new attempt, under the active registry set. On the
   * embedded SQLite store this process is the only user, so every other
   * holder's leases and idempotency locks are taken at once; on PostgreSQL
   * only lapsed ones, and later ones as they lapse. Then keeps this
   * process's leases renewed. Seeds the budget ledger with every tenant's
   * spending today first when `seedBudget` is given.
   */
  async recover(): Promise<{ requeued: number; interrupted: number }> {
    if (this.#seedBudget) {
      const startOfDay = new Date(new Date().setUTCHours(0, 0, 0, 0)).toISOString()
      const spent = await this.#store.usage.sumCostByTenant(startOfDay)
      for (const [tenantId, usd] of spent) this.#seedBudget(tenantId, usd)
    }
    const exclusive = this.#store.engine === 'sqlite'
    if (exclusive) await this.#store.idempotency.expireLocks(this.#machine.owner)
    const report = await this.#takeOver(exclusive)
    this.#keepLeases(exclusive)
    this.#logger.info(
      { requeued: report.requeue.length, interrupted: report.interrupted.length },
      'tasks recovered',
    )
    return { requeued: report.requeue.length, interrupted: report.interrupted.length }
  }

  /** Takes over orphaned tasks and runs the requeued ones here, under the active registries. */
  async #takeOver(exclusive: boolean) {
    const report = await recoverTasks(this.#store, this.#machine, { exclusive })
    const registries = this.#policies.active
    for (const record of report.requeue) {
      const request = record.request as unknown as SubmitCommand['request']
      const task = {
        taskId: record.task_id,
        tenantId: record.tenant_id,
        request,
        traceId: record.trace_id ?? '',
        registries,
        record,
      }
      const features = featuresOrStrictest(task)
      this.#orchestrator.enqueue(createTaskContext({ ...task, features }, this.#hub), true)
    }
    return report
  }

  /**
   * Refuses new work, lets in-flight tasks finish for up to `deadlineMs`
   * (a duration), then stops the rest (`cancelled`, retryable
   * AION_CONTROL_DRAINING) and ends every open stream.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.#draining = true
    await drainOrchestrator(this.#orchestrator, this.#hub, this.#store, deadlineMs)
    clearInterval(this.#leaseTimer)
  }

  /**
   * Renews this process's leases three times per lease, so none lapses while
   * it lives; on a shared store (PostgreSQL) each round also takes over the
   * tasks of processes whose leases lapsed since.
   */
  #keepLeases(exclusive: boolean): void {
    clearInterval(this.#leaseTimer)
    this.#leaseTimer = setInterval(() => {
      const round = async () => {
        await this.#machine.renewLeases()
        if (!exclusive && !this.#draining) await this.#takeOver(false)
      }
      round().catch((error: unknown) => {
        this.#logger.warn({ err: error }, 'renewing or taking over task leases failed')
      })
    }, this.#settings.taskLeaseMs / 3)
    this.#leaseTimer.unref()
  }

  #followDeps() {
    return { store: this.#store, hub: this.#hub }
  }

  async #storeCheck(): Promise<ReadinessCheck> {
    try {
      await this.#store.ping()
      return { name: 'store', ok: true, detail: this.#store.engine }
    } catch {
      // The reason goes to the operator through the check; the cause stays in the logs.
      return { name: 'store', ok: false, detail: `${this.#store.engine} unreachable` }
    }
  }
}
