/** Facts about task statuses that every room agrees on. */
import type { TaskStatus } from '../../contracts/generated/index.js'

const terminalStatuses: ReadonlySet<TaskStatus> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
])

/** True for the four statuses a task never leaves. */
export function isTerminalStatus(status: TaskStatus): boolean {
  return terminalStatuses.has(status)
}
