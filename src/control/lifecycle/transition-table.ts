/**
 * The task's transition table: which event may move a task from which
 * status to which. The state machine (task-machine.ts) writes only what this
 * table allows; the property test replays event logs against it.
 *
 * ```
 *          admit          route          start           finish
 *   (new) ───────▶ queued ───────▶ routed ───────▶ running ───────▶ succeeded | failed
 *                   ▲  ▲             │                │
 *                   │  └── requeue ──┘                └── interrupt ──▶ failed
 *                   └── requeue (from queued)
 *
 *   from queued, routed or running: cancel ─▶ cancelled, time out ─▶ timed_out,
 *                                   finish ─▶ failed (before an engine ran: a refusal)
 * ```
 */
import type { TaskStatus } from '../../storage/index.js'

/** What may happen to a task. */
export type TaskEvent =
  'admit' | 'route' | 'start' | 'finish' | 'cancel' | 'time_out' | 'interrupt' | 'requeue'

/** Where a transition may start: a status, or `new` before the task exists. */
export type TransitionFrom = TaskStatus | 'new'

const unfinished = ['queued', 'routed', 'running'] as const

/** For each event, the statuses it may lead to from each status it may leave. */
export const transitionTable: {
  readonly [E in TaskEvent]: Readonly<Partial<Record<TransitionFrom, readonly TaskStatus[]>>>
} = {
  admit: { new: ['queued'] },
  route: { queued: ['routed'] },
  start: { routed: ['running'] },
  // Before an engine ran, a task can only fail (the router refused it, the runner broke).
  finish: { queued: ['failed'], routed: ['failed'], running: ['succeeded', 'failed'] },
  cancel: Object.fromEntries(unfinished.map((s) => [s, ['cancelled']])),
  time_out: Object.fromEntries(unfinished.map((s) => [s, ['timed_out']])),
  // Only a task whose engine call had started is interrupted; earlier ones are requeued.
  interrupt: { running: ['failed'] },
  requeue: { queued: ['queued'], routed: ['queued'] },
}

/**
 * The statuses a task passes through when `steps` apply from `from`, ending
 * in `to` (each earlier step leads to the one status the table gives it);
 * undefined when the table does not allow the path.
 */
export function walk(
  from: TransitionFrom,
  steps: readonly TaskEvent[],
  to: TaskStatus,
): TaskStatus[] | undefined {
  const visited: TaskStatus[] = []
  let at = from
  for (const [index, step] of steps.entries()) {
    const targets = transitionTable[step][at] ?? []
    const next = index === steps.length - 1 ? to : targets[0]
    if (next === undefined || !targets.includes(next)) return undefined
    visited.push(next)
    at = next
  }
  return steps.length === 0 ? undefined : visited
}

/** The unfinished statuses from which `steps` may lead to `to`. */
export function legalFrom(steps: readonly TaskEvent[], to: TaskStatus): TaskStatus[] {
  return unfinished.filter((status) => walk(status, steps, to) !== undefined)
}
