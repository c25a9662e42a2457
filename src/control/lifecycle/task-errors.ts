/** The envelope error of whatever stopped a task. */
import { InternalError, isAionError } from '../../core/errors/index.js'
import type { TaskError } from '../../storage/index.js'

/** Minimal logger surface (pino's). */
export interface TaskLogger {
  error(object: Record<string, unknown>, message: string): void
  warn(object: Record<string, unknown>, message: string): void
}

/** The envelope error of `error`; an unknown error becomes internal, logged with its cause. */
export function taskError(error: unknown, logger: TaskLogger, taskId: string): TaskError {
  if (isAionError(error)) {
    return { code: error.code, message: error.message, retryable: error.retryable }
  }
  logger.error({ err: error, taskId }, 'task failed with an unexpected error')
  const internal = new InternalError({ reference: taskId })
  return { code: internal.code, message: internal.message, retryable: false }
}
