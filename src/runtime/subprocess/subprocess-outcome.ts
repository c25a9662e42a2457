/**
 * How a sandboxed call's outcome becomes the call's result or its error: the
 * limits the cgroup saw hit and the signals the rlimits send come first (so a
 * fork bomb that also ran out of time reads as the pids limit), then timeout,
 * a death by a fault signal, the module's own reported failure, and finally its
 * output, parsed and checked against the output schema. Memory and faults end
 * with the same codes as in the WASM executor.
 */
import {
  ModuleCancelledError,
  ModuleCrashedError,
  ModuleExecutorClosedError,
  ModuleMemoryExceededError,
  ModuleOutputTooLargeError,
  ModuleSandboxLimitError,
  ModuleTimeoutError,
} from '../../core/errors/index.js'
import type { LoadedSubprocessPackage } from '../module-package.js'
import type { ModuleResult } from '../module-executor.js'
import type { CgroupLimitsHit } from './cgroups.js'
import { EXIT_SIGXCPU, EXIT_SIGXFSZ } from './sandbox-command.js'
import type { SandboxProcessOutcome } from './sandbox-process.js'
import { moduleAnswer } from '../module-answer.js'

/**
 * Signals of a fault (bwrap reports a child they killed as 128 + the number):
 * the call ends AION_MODULE_CRASHED. SIGSYS is the seccomp filter's kill.
 */
const CRASH_SIGNALS: Readonly<Record<number, string>> = {
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  11: 'SIGSEGV',
  31: 'SIGSYS',
}

/** What settling a call needs besides its outcome. */
export interface CallContext {
  /** The executor was closed (a cancel then reads as closed). */
  readonly closed: boolean
  readonly hit: CgroupLimitsHit
  readonly limits: {
    readonly timeoutMs: number
    readonly memoryBytes: number
    readonly fileSizeBytes: number
    readonly cpuSeconds: number
    readonly pidsMax: number
    readonly stdoutLimitBytes: number
  }
}

/** The call's result, or throws the AION_MODULE_* error its outcome means. */
export function settleOutcome(
  pkg: LoadedSubprocessPackage,
  outcome: SandboxProcessOutcome,
  { closed, hit, limits }: CallContext,
): ModuleResult {
  const module = pkg.descriptor.name
  const logs = outcome.stderr.toString('utf8')
  if (outcome.kind === 'cancelled') {
    if (closed) throw new ModuleExecutorClosedError({ module })
    throw new ModuleCancelledError({ module })
  }
  if (outcome.kind === 'stdout_overflow') {
    const limitBytes = limits.stdoutLimitBytes
    throw new ModuleOutputTooLargeError({ module, limitBytes })
  }
  if (outcome.kind === 'failed') throw new ModuleCrashedError({ module, detail: outcome.detail })
  const failedRun = outcome.kind === 'timeout' || outcome.exitCode !== 0
  // The same code as a WASM module at its memory maximum.
  if (failedRun && hit.memory) {
    throw new ModuleMemoryExceededError({ module, memoryBytes: limits.memoryBytes })
  }
  if (failedRun && hit.pids) {
    const limit = `${limits.pidsMax} processes`
    throw new ModuleSandboxLimitError({ module, resource: 'pids', limit })
  }
  if (outcome.kind === 'timeout')
    throw new ModuleTimeoutError({ module, timeoutMs: limits.timeoutMs })
  if (outcome.exitCode === EXIT_SIGXCPU) {
    throw new ModuleSandboxLimitError({
      module,
      resource: 'cpu_time',
      limit: `${limits.cpuSeconds} s`,
    })
  }
  if (outcome.exitCode === EXIT_SIGXFSZ) {
    const limit = `${limits.fileSizeBytes} bytes`
    throw new ModuleSandboxLimitError({ module, resource: 'file_size', limit })
  }
  const stdout = outcome.stdout.toString('utf8')
  if (outcome.exitCode !== 0 && /^bwrap: /m.test(logs)) {
    throw new ModuleCrashedError({
      module,
      detail: `the sandbox failed: ${logs.trim().slice(-512)}`,
    })
  }
  const crash = CRASH_SIGNALS[outcome.exitCode - 128]
  if (crash !== undefined) {
    // As a WASM trap: the module died of a fault, not of an exit it chose.
    const tail = logs.trim().slice(-512)
    const detail = `killed by ${crash}${tail ? ` (stderr: ${tail})` : ''}`
    throw new ModuleCrashedError({ module, detail })
  }
  const exit = { module, exitCode: outcome.exitCode, stdout, logs }
  const output = moduleAnswer(exit, pkg.validateOutput)
  return { output, durationMs: outcome.durationMs, logs }
}
