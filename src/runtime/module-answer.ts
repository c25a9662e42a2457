/**
 * What a module answered once it exited, the same for both runtimes: a
 * non-zero exit is AION_MODULE_FAILED with the `{error: {code, message}}` the
 * module wrote (if it did), stdout that is not JSON or breaks the output schema
 * is AION_MODULE_OUTPUT_INVALID, anything else is the output.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js'
import { toViolations } from '../core/contracts/contract-validator.js'
import { ModuleFailedError, ModuleOutputInvalidError } from '../core/errors/index.js'

/** What a module reported when it exited non-zero: `{error: {code, message}}`, if it said so. */
function reportedFailure(stdout: string): { code: string; message: string } | undefined {
  try {
    const error = (JSON.parse(stdout) as { error?: { code?: unknown; message?: unknown } } | null)
      ?.error
    if (typeof error?.code === 'string' && typeof error.message === 'string') {
      return { code: error.code, message: error.message }
    }
  } catch {
    // Not the error shape: reported as an unexplained exit status.
  }
  return undefined
}

/** The exit of one call, as the executor captured it. */
export interface ModuleExit {
  readonly module: string
  readonly exitCode: number
  readonly stdout: string
  /** stderr, as kept. */
  readonly logs: string
}

/** The module's output, checked against its output schema, or throws what the exit means. */
export function moduleAnswer(exit: ModuleExit, validateOutput: ValidateFunction): unknown {
  const { module, exitCode, stdout, logs } = exit
  if (exitCode !== 0) {
    const reported = reportedFailure(stdout)
    throw new ModuleFailedError({
      module,
      exitCode,
      moduleCode: reported?.code ?? 'UNKNOWN',
      detail: reported?.message ?? (logs.trim().slice(-512) || `exited with status ${exitCode}`),
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
  if (!validateOutput(output)) {
    throw new ModuleOutputInvalidError({ module, violations: toViolations(validateOutput.errors) })
  }
  return output
}
