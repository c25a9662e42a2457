/**
 * Group commit: units of work that arrive in the same turn of the event loop
 * share one transaction, in arrival order, instead of one commit each. Under
 * load a commit then carries many tasks' changes; alone, a unit waits one
 * `setImmediate`. Should the shared transaction fail, each unit is retried in
 * a transaction of its own, so only a faulty unit fails. A unit must not
 * depend on another unit of the same batch having committed.
 *
 * Units hand their append-only rows (outbox events, usage, audit entries) to
 * the batch rather than inserting each: the batch appends them, in arrival
 * order, in one multi-row statement per table before it commits.
 */
import type { NewAuditRecord } from './ports/audit-store.js'
import type { NewOutboxEvent } from './ports/outbox.js'
import type { Store, StoreTx } from './ports/store.js'
import type { NewUsage } from './ports/usage-store.js'

/** Most units one shared transaction carries. */
const maxBatch = 256

/** Collects a unit's append-only rows; they commit with the unit's transaction. */
export interface PendingRows {
  event(event: NewOutboxEvent): void
  usage(usage: NewUsage): void
  audit(entry: NewAuditRecord): void
}

type Work = (tx: StoreTx, rows: PendingRows) => Promise<unknown>

interface Pending {
  readonly work: Work
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

export interface GroupCommit {
  /** Runs `work` in a transaction shared with the other units of this turn. */
  run<T>(work: (tx: StoreTx, rows: PendingRows) => Promise<T>): Promise<T>
}

const groups = new WeakMap<Store, GroupCommit>()

/** The store's group committer (one per store). */
export function groupCommit(store: Store): GroupCommit {
  let group = groups.get(store)
  if (group === undefined) {
    group = new StoreGroupCommit(store)
    groups.set(store, group)
  }
  return group
}

class StoreGroupCommit implements GroupCommit {
  readonly #store: Store
  #pending: Pending[] = []
  #scheduled = false

  constructor(store: Store) {
    this.#store = store
  }

  run<T>(work: (tx: StoreTx, rows: PendingRows) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => void this.#flush())
      }
    })
  }

  async #flush(): Promise<void> {
    const batch = this.#pending.slice(0, maxBatch)
    this.#pending = this.#pending.slice(maxBatch)
    this.#scheduled = this.#pending.length > 0
    if (this.#scheduled) setImmediate(() => void this.#flush())
    try {
      const results = await this.#store.transaction((tx) => runBatch(tx, batch))
      batch.forEach((item, index) => item.resolve(results[index]))
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error)
        return
      }
      for (const item of batch) {
        await this.#store
          .transaction(async (tx) => (await runBatch(tx, [item]))[0])
          .then(item.resolve, item.reject)
      }
    }
  }
}

/** Runs the units in order in `tx`, then appends their rows. */
async function runBatch(tx: StoreTx, batch: readonly Pending[]): Promise<unknown[]> {
  const events: NewOutboxEvent[] = []
  const usage: NewUsage[] = []
  const audit: NewAuditRecord[] = []
  const rows: PendingRows = {
    event: (row) => void events.push(row),
    usage: (row) => void usage.push(row),
    audit: (row) => void audit.push(row),
  }
  const values: unknown[] = []
  for (const item of batch) values.push(await item.work(tx, rows))
  if (usage.length > 0) await tx.usage.recordMany(usage)
  if (audit.length > 0) await tx.audit.appendMany(audit)
  if (events.length > 0) await tx.outbox.append(events)
  return values
}
