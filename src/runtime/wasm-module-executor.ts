/**
 * The minimal WASM executor behind the ModuleExecutor port: packages are loaded
 * and compiled once at start; each call is validated against the module's input
 * schema, run in a fresh instance on a worker thread of a small pool, and its
 * stdout parsed and validated against the output schema. A call that times out
 * or is aborted has its worker terminated (and replaced).
 */
import type { ValidateFunction } from 'ajv/dist/2020.js'
import { toViolations } from '../core/contracts/contract-validator.js'
import {
  ModuleCancelledError,
  ModuleCrashedError,
  ModuleExecutorClosedError,
  ModuleFailedError,
  ModuleInputInvalidError,
  ModuleNotFoundError,
  ModuleOutputInvalidError,
  ModuleOutputTooLargeError,
  ModuleTimeoutError,
} from '../core/errors/index.js'
import { loadPackages, type LoadedPackage, type QuarantinedPackage } from './aip-package.js'
import type {
  ModuleDescriptor,
  ModuleExecutor,
  ModuleResult,
  ModuleRun,
} from './module-executor.js'
import type { WorkerExitedMessage } from './worker-protocol.js'
import { WorkerPool, type PoolOutcome } from './worker-pool.js'

/** Options of {@link createModuleExecutor}. */
export interface ModuleExecutorOptions {
  /** Directory with one folder per AIP package (`modules/` in the repository). */
  readonly packagesDir: string
  /**
   * Worker threads running instances; calls beyond this wait for a free one.
   * @default 2
   */
  readonly workers?: number
  /**
   * Cap on what one call may write to stdout; more fails the call.
   * @default 1048576 (1 MiB)
   */
  readonly stdoutLimitBytes?: number
  /**
   * Cap on the stderr (log) kept per call; more is cut off.
   * @default 1048576 (1 MiB)
   */
  readonly stderrLimitBytes?: number
}

/** A module executor that owns worker threads, so it must be closed. */
export interface ClosableModuleExecutor extends ModuleExecutor {
  /** Packages that failed a check at load time, with the reason; they never run. */
  quarantined(): readonly QuarantinedPackage[]
  /** Stops every worker; calls in flight or queued fail with AION_MODULE_EXECUTOR_CLOSED. */
  close(): Promise<void>
}

const DEFAULT_OUTPUT_LIMIT_BYTES = 1024 * 1024
const encoder = new TextEncoder()
const decoder = new TextDecoder()

function violationsOf(validate: ValidateFunction, value: unknown) {
  return validate(value) ? [] : toViolations(validate.errors)
}

/** What a module reported when it exited non-zero: `{error: {code, message}}`, if it said so. */
function reportedFailure(stdout: string): { code: string; message: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(stdout)
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error
    if (typeof error?.code === 'string' && typeof error.message === 'string') {
      return { code: error.code, message: error.message }
    }
  } catch {
    // Not the error shape: reported below as an unexplained exit status.
  }
  return undefined
}

class WasmModuleExecutor implements ClosableModuleExecutor {
  private readonly descriptors: ReadonlyMap<string, ModuleDescriptor>

  constructor(
    private readonly packages: ReadonlyMap<string, LoadedPackage>,
    private readonly rejected: readonly QuarantinedPackage[],
    private readonly pool: WorkerPool,
    private readonly stdoutLimitBytes: number,
    private readonly stderrLimitBytes: number,
  ) {
    this.descriptors = new Map([...packages].map(([name, pkg]) => [name, pkg.descriptor]))
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
    const pkg = this.packages.get(name)
    if (!pkg) throw new ModuleNotFoundError({ module: name })
    const inputViolations = violationsOf(pkg.validateInput, request.input)
    if (inputViolations.length > 0) {
      throw new ModuleInputInvalidError({ module: name, violations: inputViolations })
    }
    const timeoutMs = Math.min(request.timeoutMs, pkg.descriptor.timeoutMs)
    const outcome = await this.pool.run(
      {
        type: 'run',
        module: pkg.module,
        name,
        stdin: encoder.encode(JSON.stringify(request.input)),
        stdoutLimitBytes: this.stdoutLimitBytes,
        stderrLimitBytes: this.stderrLimitBytes,
      },
      request.signal,
      timeoutMs,
    )
    return this.settle(pkg, outcome, timeoutMs)
  }

  close(): Promise<void> {
    return this.pool.close()
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
        if (outcome.reply.type === 'trapped') {
          const logs = decoder.decode(outcome.reply.stderr).trim()
          const detail = logs
            ? `${outcome.reply.detail} (stderr: ${logs.slice(-512)})`
            : outcome.reply.detail
          throw new ModuleCrashedError({ module, detail })
        }
        return this.result(pkg, outcome.reply)
    }
  }

  private result(pkg: LoadedPackage, reply: WorkerExitedMessage): ModuleResult {
    const module = pkg.descriptor.name
    const logs = decoder.decode(reply.stderr)
    if (reply.stdoutOverflowed) {
      throw new ModuleOutputTooLargeError({ module, limitBytes: this.stdoutLimitBytes })
    }
    const stdout = decoder.decode(reply.stdout)
    if (reply.exitCode !== 0) {
      const reported = reportedFailure(stdout)
      throw new ModuleFailedError({
        module,
        exitCode: reply.exitCode,
        moduleCode: reported?.code ?? 'UNKNOWN',
        detail:
          reported?.message ?? (logs.trim().slice(-512) || `exited with status ${reply.exitCode}`),
      })
    }
    let output: unknown
    try {
      output = JSON.parse(stdout)
    } catch (error) {
      const message = `stdout is not JSON: ${(error as Error).message}`
      throw new ModuleOutputInvalidError({
        module,
        violations: [{ path: '', message, keyword: 'json' }],
      })
    }
    const violations = violationsOf(pkg.validateOutput, output)
    if (violations.length > 0) throw new ModuleOutputInvalidError({ module, violations })
    return { output, durationMs: reply.durationMs, logs }
  }
}

/**
 * Loads every package under `packagesDir`, compiles each module once, and starts
 * the worker pool. Packages that fail a check are quarantined (see
 * `quarantined()`), not fatal.
 */
export async function createModuleExecutor(
  options: ModuleExecutorOptions,
): Promise<ClosableModuleExecutor> {
  const { loaded, quarantined } = await loadPackages(options.packagesDir)
  const pool = await WorkerPool.start(Math.max(1, options.workers ?? 2))
  return new WasmModuleExecutor(
    new Map(loaded.map((pkg) => [pkg.descriptor.name, pkg])),
    quarantined,
    pool,
    options.stdoutLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
    options.stderrLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
  )
}
