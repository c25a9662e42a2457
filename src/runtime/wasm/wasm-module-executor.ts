/**
 * The WASM executor behind the ModuleExecutor port: packages are loaded and
 * compiled once at start and registered with every worker of a small pool (with
 * their files, read into shared memory, when the manifest grants `filesystem:
 * read-only`); each call is validated against the module's input schema, run in a
 * fresh instance on a worker thread with only its declared secrets in its
 * environment and only its allowed hosts reachable (wasm-http-host.ts), and its
 * stdout parsed and validated against the output schema. A call that times out or
 * is aborted has its worker terminated (and replaced).
 */
import type { ValidateFunction } from 'ajv/dist/2020.js'
import { toViolations } from '../../core/contracts/contract-validator.js'
import { AddressGuard, guardedAgent, type EgressPolicy } from '../../core/egress/index.js'
import {
  type AionError,
  ModuleCancelledError,
  ModuleCrashedError,
  ModuleExecutorClosedError,
  ModuleInputInvalidError,
  ModuleMemoryExceededError,
  ModuleNotFoundError,
  ModuleOutputTooLargeError,
  ModulePackageInvalidError,
  ModuleSecretMissingError,
  ModuleTimeoutError,
} from '../../core/errors/index.js'
import type { Secret } from '../../core/secret.js'
import { moduleAnswer } from '../module-answer.js'
import type { LoadedPackage, LoadedPackages, QuarantinedPackage } from '../module-package.js'
import type {
  ModuleDescriptor,
  ModuleExecutor,
  ModuleResult,
  ModuleRun,
} from '../module-executor.js'
import { ModuleEgress } from './wasm-egress.js'
import { httpHostCalls, type HttpHostLimits } from './wasm-http-host.js'
import { readMountedFiles } from './wasm-package-files.js'
import type { WorkerExitedMessage, WorkerReply } from './worker-protocol.js'
import { WorkerPool, type PoolOutcome } from './worker-pool.js'

/** Options of {@link createModuleExecutor}. */
export interface ModuleExecutorOptions {
  /** The packages to serve, as the AIP reader loaded them (WASM ones; others are left to their executor). */
  readonly packages: LoadedPackages
  /**
   * Worker threads running instances; calls beyond this wait for a free one.
   * @default 2
   */
  readonly workers?: number
  /**
   * Cap on what one call may write to stdout; more stops the instance and fails the call.
   * @default 1048576 (1 MiB)
   */
  readonly stdoutLimitBytes?: number
  /**
   * Cap on the stderr (log) kept per call; more is cut off.
   * @default 1048576 (1 MiB)
   */
  readonly stderrLimitBytes?: number
  /**
   * Values of the secrets modules may declare (`permissions.secrets`), by name. A
   * module's environment holds the ones it declares, nothing else.
   * @default none
   */
  readonly secrets?: ReadonlyMap<string, Secret>
  /**
   * The platform's egress policy: when given, a module's `aion_http.fetch` must
   * pass it as well as the module's own allow-list.
   * @default none (the module's allow-list alone)
   */
  readonly egress?: EgressPolicy
  /** Judges the address of every `aion_http.fetch` connection. @default loopback allowed, private refused */
  readonly guard?: AddressGuard
  /**
   * Largest answer of one `aion_http.fetch` (the response JSON, body included).
   * @default 4194304 (4 MiB)
   */
  readonly httpResponseLimitBytes?: number
  /**
   * Wall-clock limit of one `aion_http.fetch`, within the call's own timeout.
   * @default 10000
   */
  readonly httpTimeoutMs?: number
}

/** A module executor that owns worker threads, so it must be closed. */
export interface ClosableModuleExecutor extends ModuleExecutor {
  /** Packages that failed a check at load time, with the reason; they never run. */
  quarantined(): readonly QuarantinedPackage[]
  /** Stops every worker; calls in flight or queued fail with AION_MODULE_EXECUTOR_CLOSED. */
  close(): Promise<void>
}

const DEFAULT_OUTPUT_LIMIT_BYTES = 1024 * 1024
const DEFAULT_HTTP_RESPONSE_LIMIT_BYTES = 4 * 1024 * 1024
const DEFAULT_HTTP_TIMEOUT_MS = 10_000
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** A loaded package with what its calls need beyond the package itself. */
interface WasmPackage {
  readonly pkg: LoadedPackage
  /** The key the workers know it by. */
  readonly id: string
  readonly egress: ModuleEgress
  /** Declared secrets; `optional` for a trailing `?`. */
  readonly secrets: readonly { readonly name: string; readonly optional: boolean }[]
}

/** Resolved options the executor keeps. */
interface Limits {
  readonly stdoutLimitBytes: number
  readonly stderrLimitBytes: number
  readonly http: HttpHostLimits
  /** The dispatcher of calls whose placement is on-premises. */
  readonly onPremises: HttpHostLimits['dispatcher']
}

function violationsOf(validate: ValidateFunction, value: unknown) {
  return validate(value) ? [] : toViolations(validate.errors)
}

class WasmModuleExecutor implements ClosableModuleExecutor {
  private readonly descriptors: ReadonlyMap<string, ModuleDescriptor>

  constructor(
    private readonly packages: ReadonlyMap<string, WasmPackage>,
    private readonly rejected: readonly QuarantinedPackage[],
    private readonly pool: WorkerPool,
    private readonly limits: Limits,
    private readonly secrets: ReadonlyMap<string, Secret>,
  ) {
    this.descriptors = new Map([...packages].map(([name, p]) => [name, p.pkg.descriptor]))
  }

  modules(): ReadonlyMap<string, ModuleDescriptor> {
    return this.descriptors
  }

  quarantined(): readonly QuarantinedPackage[] {
    return this.rejected
  }

  /** Runs one call; the limit is the smaller of the request's and the manifest's timeout. */
  async run(request: ModuleRun): Promise<ModuleResult> {
    const name = request.module
    const wasmPackage = this.packages.get(name)
    if (!wasmPackage) throw new ModuleNotFoundError({ module: name })
    const { pkg } = wasmPackage
    const inputViolations = violationsOf(pkg.validateInput, request.input)
    if (inputViolations.length > 0) {
      throw new ModuleInputInvalidError({ module: name, violations: inputViolations })
    }
    const env = this.environment(wasmPackage)
    if (request.traceparent !== undefined) env.push(`TRACEPARENT=${request.traceparent}`)
    const timeoutMs = Math.min(request.timeoutMs, pkg.descriptor.timeoutMs)
    let denied: AionError | undefined
    const http =
      request.placement === 'on-premises'
        ? { ...this.limits.http, dispatcher: this.limits.onPremises }
        : this.limits.http
    const hostCall = httpHostCalls(wasmPackage.egress, http, (refusal) => {
      denied = refusal
    })
    const outcome = await this.pool.run(
      {
        type: 'run',
        id: wasmPackage.id,
        stdin: encoder.encode(JSON.stringify(request.input)),
        env,
        stdoutLimitBytes: this.limits.stdoutLimitBytes,
        stderrLimitBytes: this.limits.stderrLimitBytes,
      },
      request.signal,
      timeoutMs,
      hostCall,
    )
    if (denied !== undefined) throw denied
    return this.settle(pkg, outcome, timeoutMs)
  }

  async close(): Promise<void> {
    await this.pool.close()
    await Promise.all([this.limits.http.dispatcher.close(), this.limits.onPremises.close()])
  }

  /** `NAME=value` for each declared secret that is set; a missing required one fails the call. */
  private environment(wasmPackage: WasmPackage): string[] {
    const env: string[] = []
    for (const { name, optional } of wasmPackage.secrets) {
      const secret = this.secrets.get(name)
      if (secret !== undefined) env.push(`${name}=${secret.reveal()}`)
      else if (!optional) {
        throw new ModuleSecretMissingError({
          module: wasmPackage.pkg.descriptor.name,
          secret: name,
        })
      }
    }
    return env
  }

  private settle(pkg: LoadedPackage, outcome: PoolOutcome, timeoutMs: number): ModuleResult {
    const module = pkg.descriptor.name
    switch (outcome.kind) {
      case 'timeout':
        throw new ModuleTimeoutError({ module, timeoutMs })
      case 'cancelled':
        throw new ModuleCancelledError({ module })
      case 'closed':
        throw new ModuleExecutorClosedError({ module })
      case 'crashed':
        throw new ModuleCrashedError({ module, detail: outcome.detail })
      case 'replied':
        return this.replied(pkg, outcome.reply)
    }
  }

  private replied(pkg: LoadedPackage, reply: WorkerReply): ModuleResult {
    const module = pkg.descriptor.name
    // Checked first: a module that floods stdout may trap or exit any way afterwards.
    if (reply.stdoutOverflowed) {
      throw new ModuleOutputTooLargeError({ module, limitBytes: this.limits.stdoutLimitBytes })
    }
    const failed = reply.type === 'trapped' || reply.exitCode !== 0
    if (failed && reply.memoryAtLimit) {
      throw new ModuleMemoryExceededError({ module, memoryBytes: reply.memoryBytes })
    }
    if (reply.type === 'trapped') {
      const logs = decoder.decode(reply.stderr).trim()
      const detail = logs ? `${reply.detail} (stderr: ${logs.slice(-512)})` : reply.detail
      throw new ModuleCrashedError({ module, detail })
    }
    return this.result(pkg, reply)
  }

  private result(pkg: LoadedPackage, reply: WorkerExitedMessage): ModuleResult {
    const module = pkg.descriptor.name
    const logs = decoder.decode(reply.stderr)
    const stdout = decoder.decode(reply.stdout)
    const exit = { module, exitCode: reply.exitCode, stdout, logs }
    const output = moduleAnswer(exit, pkg.validateOutput)
    return { output, durationMs: reply.durationMs, logs, memoryPeakBytes: reply.memoryBytes }
  }
}

/** The package with its egress rules and declared secrets, registered with the pool. */
async function prepare(
  pkg: LoadedPackage,
  pool: WorkerPool,
  egress: EgressPolicy | undefined,
): Promise<WasmPackage> {
  const { manifest, descriptor } = pkg
  const id = `${descriptor.name}@${descriptor.version}`
  const files =
    manifest.permissions.filesystem === 'read-only'
      ? await readMountedFiles(pkg.dir, descriptor.name)
      : undefined
  pool.register({
    type: 'register',
    id,
    module: pkg.module,
    name: descriptor.name,
    ...(files ? { files } : {}),
  })
  const secrets = (manifest.permissions.secrets ?? []).map((entry) => ({
    name: entry.replace(/\?$/, ''),
    optional: entry.endsWith('?'),
  }))
  return { pkg, id, egress: new ModuleEgress(manifest.permissions.network, egress), secrets }
}

/**
 * Prepares the loaded WASM packages (their modules compiled once) and starts
 * the worker pool. Packages that fail a check are quarantined (see
 * `quarantined()`), not fatal; packages of other runtimes are left to their executor.
 */
export async function createModuleExecutor(
  options: ModuleExecutorOptions,
): Promise<ClosableModuleExecutor> {
  const { loaded, quarantined } = options.packages
  const httpResponseLimitBytes = options.httpResponseLimitBytes ?? DEFAULT_HTTP_RESPONSE_LIMIT_BYTES
  const pool = await WorkerPool.start(Math.max(1, options.workers ?? 2), {
    hostCallLimitBytes: httpResponseLimitBytes,
  })
  const packages = new Map<string, WasmPackage>()
  const rejected = [...quarantined]
  for (const pkg of loaded) {
    try {
      packages.set(pkg.descriptor.name, await prepare(pkg, pool, options.egress))
    } catch (error) {
      if (!(error instanceof ModulePackageInvalidError)) throw error
      rejected.push({ dir: pkg.dir, error })
    }
  }
  const guard = options.guard ?? new AddressGuard()
  const limits: Limits = {
    stdoutLimitBytes: options.stdoutLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
    stderrLimitBytes: options.stderrLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
    http: {
      responseBodyLimitBytes: httpResponseLimitBytes,
      fetchTimeoutMs: options.httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
      dispatcher: guardedAgent(guard),
    },
    onPremises: guardedAgent(guard, { placement: 'on-premises' }),
  }
  return new WasmModuleExecutor(packages, rejected, pool, limits, options.secrets ?? new Map())
}
