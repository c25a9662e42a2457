/**
 * Object expiry done by the platform: S3Proxy (and the local directory) have
 * no lifecycle rules, so a sweeper deletes the objects under each configured
 * prefix once they are older than that prefix's retention, on any
 * {@link ObjectStore}. Several processes may sweep the same store: a delete
 * of an object another sweeper removed first just answers false.
 */
import type { ObjectStore } from '../ports/object-store.js'
import { assertObjectPrefix } from './object-key.js'

/** One expiry rule: objects under `prefix` live `maxAgeMs`. */
export interface RetentionRule {
  readonly prefix: string
  readonly maxAgeMs: number
}

/** What one sweep did. */
export interface SweepOutcome {
  /** Keys deleted, by rule prefix. */
  readonly deleted: Readonly<Record<string, readonly string[]>>
}

/**
 * Deletes every object under a rule's prefix stored before `now - maxAgeMs`.
 * An object under two rules' prefixes obeys the shorter retention.
 */
export async function sweepObjects(
  store: ObjectStore,
  rules: readonly RetentionRule[],
  now: Date = new Date(),
): Promise<SweepOutcome> {
  for (const rule of rules) assertObjectPrefix(rule.prefix)
  const deleted: Record<string, string[]> = {}
  // Shortest retention first: it claims the objects it covers.
  const ordered = [...rules].sort((a, b) => a.maxAgeMs - b.maxAgeMs)
  const seen = new Set<string>()
  for (const rule of ordered) {
    const cutoff = now.getTime() - rule.maxAgeMs
    const gone: string[] = (deleted[rule.prefix] ??= [])
    for (const info of await store.list(rule.prefix)) {
      if (seen.has(info.key)) continue
      seen.add(info.key)
      if (Date.parse(info.storedAt) < cutoff && (await store.delete(info.key))) gone.push(info.key)
    }
  }
  return { deleted }
}

/** Options of {@link startRetentionSweeper}. */
export interface RetentionSweeperOptions {
  readonly store: ObjectStore
  readonly rules: readonly RetentionRule[]
  /** Time between sweeps; the first runs at once. */
  readonly intervalMs: number
  /** Told what each sweep deleted, or why it failed (the next sweep tries again). */
  readonly onSweep?: (outcome: SweepOutcome | undefined, error?: unknown) => void
}

/** A running sweeper. */
export interface RetentionSweeper {
  /** Stops sweeping; resolves once a sweep in progress has ended. */
  stop(): Promise<void>
}

/** Sweeps now and every `intervalMs` until stopped; no rules, no timer. */
export function startRetentionSweeper(options: RetentionSweeperOptions): RetentionSweeper {
  if (options.rules.length === 0) return { stop: async () => undefined }
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  const sweep = () => {
    running = sweepObjects(options.store, options.rules).then(
      (outcome) => options.onSweep?.(outcome),
      (error: unknown) => options.onSweep?.(undefined, error),
    )
    void running.finally(() => {
      if (stopped) return
      timer = setTimeout(sweep, options.intervalMs)
      // A sweeper alone never keeps the process alive.
      timer.unref()
    })
  }
  sweep()
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
