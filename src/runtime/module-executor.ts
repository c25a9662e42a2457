/**
 * The port through which the control plane runs AIP modules. Issue 3 ships a
 * minimal WASM executor behind it; the modules issue hardens it (worker pool,
 * sandbox, subprocesses) without changing this interface.
 */
import type { Placement } from '../core/egress/index.js'

/** A module the executor can run, as found in the local package directory. */
export interface ModuleDescriptor {
  readonly name: string
  readonly version: string
  readonly runtime: 'wasm' | 'subprocess'
  readonly intents: readonly string[]
  /** JSON Schemas of the module's input and output. */
  readonly inputSchema: Record<string, unknown>
  readonly outputSchema: Record<string, unknown>
  readonly timeoutMs: number
  /**
   * The manifest's `policies.retries`: how many times a failed call may be tried
   * again. It bounds every retry, whatever the error's `retryable` says.
   */
  readonly retries: number
}

export interface ModuleRun {
  readonly module: string
  readonly input: unknown
  /** Aborting kills the instance. */
  readonly signal: AbortSignal
  /** Wall-clock limit; the instance is killed when it passes. */
  readonly timeoutMs: number
  /** W3C `traceparent` of the call: the module sees it as `TRACEPARENT`. @default none */
  readonly traceparent?: string
  /**
   * Where the module's network calls may connect: `on-premises` (privacy
   * local-only or hybrid) keeps them inside AION_LOCAL_NETWORKS. @default 'anywhere'
   */
  readonly placement?: Placement
}

export interface ModuleResult {
  readonly output: unknown
  readonly durationMs: number
  /** Bytes the module wrote to stderr (its log), capped. */
  readonly logs: string
  /**
   * The most memory the call used, when the executor can tell: a WASM
   * instance's linear memory at the end (it never shrinks), a subprocess's
   * cgroup peak.
   */
  readonly memoryPeakBytes?: number
}

export interface ModuleExecutor {
  /** Modules available to run, by name. */
  modules(): ReadonlyMap<string, ModuleDescriptor>
  /**
   * Runs one call in a fresh instance. Input is validated against the input
   * schema before the call and output against the output schema after it.
   * Throws AION_MODULE_* errors (timeout, cancelled, crashed, invalid input/output).
   */
  run(request: ModuleRun): Promise<ModuleResult>
  /**
   * Whether a call of the module could be placed now: false while it needs a
   * device (a GPU of its manifest's policy) and none that fits is free. The
   * router asks before choosing the module. Absent: always placeable.
   */
  placement?(module: string): ModulePlacement
  /** The accelerators calls are placed on, read afresh. Absent: none. */
  devices?(): Promise<readonly DeviceReading[]>
}

/** One accelerator the executor places calls on, as read now (the utilisation metric). */
export interface DeviceReading {
  readonly vendor: string
  readonly index: number
  readonly id: string
  readonly name: string
  readonly utilizationPercent: number | undefined
  readonly memoryUsedBytes: number | undefined
  readonly memoryTotalBytes: number | undefined
  /** The module a call of which holds it. */
  readonly leasedBy: string | undefined
}

/** The answer of {@link ModuleExecutor.placement}. */
export type ModulePlacement =
  { readonly ok: true } | { readonly ok: false; readonly reason: string }
