/**
 * The outbox relay: claims committed events from the outbox, publishes them,
 * and marks them published only once the publisher says the broker has them.
 *
 * Several relays (one per process) share one store. A claim leases its rows
 * to this relay (`lease_owner`), and a publish is given up well before the
 * lease lapses, so no two relays ever publish the same row at the same time.
 * What can repeat is a row whose publish failed after the broker took it:
 * the retry publishes it again, and consumers dedupe on the event id.
 *
 * While the broker is down the relay backs off (doubling up to a ceiling)
 * and the outbox simply grows; nothing is dropped, and it drains when the
 * broker returns. Published rows leave the outbox after `retentionMs`.
 */
import { randomBytes } from 'node:crypto'
import { processInstanceId } from '../../core/process-instance.js'
import type { Outbox } from '../ports/outbox.js'
import type { EventPublisher } from './event-publisher.js'

/** The few pino methods the relay logs with. */
export interface RelayLogger {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
}

/** Options of {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  readonly outbox: Outbox
  readonly publisher: EventPublisher
  readonly logger: RelayLogger
  /** The claims' owner. @default `relay_<process instance>_<random>` */
  readonly owner?: string
  /** Events claimed and published at once. @default 500 */
  readonly batchSize?: number
  /** How long a claim holds. @default 60000 */
  readonly leaseMs?: number
  /** Longest wait for one batch's acknowledgement; kept under the lease. @default 20000 */
  readonly publishTimeoutMs?: number
  /** Pause when nothing is pending. @default 100 */
  readonly idleMs?: number
  /** First pause after a failure, doubling on each further one. @default 250 */
  readonly backoffMs?: number
  /** Longest pause after failures. @default 5000 */
  readonly maxBackoffMs?: number
  /** How long published rows stay in the outbox. @default 86400000 */
  readonly retentionMs?: number
  /** How often the sweep of published rows runs. @default 60000 */
  readonly sweepIntervalMs?: number
}

/** What a relay has done so far. */
export interface RelayStats {
  /** Events marked published by this relay. */
  readonly published: number
  /** The same, by topic (what `aion_outbox_events_published_total` shows). */
  readonly publishedByTopic: Readonly<Record<string, number>>
  /** Batches whose publish failed (each retried). */
  readonly failedBatches: number
  /**
   * Rounds that failed, each retried after a backoff: a failed publish, and
   * also brokers unreachable before any batch (readying the topics) or a store error.
   */
  readonly failedRounds: number
  /** Published rows this relay's sweeps deleted. */
  readonly swept: number
}

const SWEEP_CHUNK = 5000
/** Time kept between the publish deadline and the lease's end, for the mark. */
const LEASE_MARGIN_MS = 5000

export class OutboxRelay {
  readonly owner: string
  readonly #o: Required<Omit<OutboxRelayOptions, 'owner'>>
  #stats = { published: 0, failedBatches: 0, failedRounds: 0, swept: 0 }
  readonly #publishedByTopic = new Map<string, number>()
  #running: Promise<void> | undefined
  #stopping = false
  #wake: (() => void) | undefined
  #nextSweepAt = 0
  /** After a timed-out batch: claim nothing before its lease lapses (see {@link relayOnce}). */
  #holdUntil = 0

  constructor(options: OutboxRelayOptions) {
    this.owner = options.owner ?? `relay_${processInstanceId}_${randomBytes(4).toString('hex')}`
    const leaseMs = options.leaseMs ?? 60_000
    this.#o = {
      outbox: options.outbox,
      publisher: options.publisher,
      logger: options.logger,
      batchSize: options.batchSize ?? 500,
      leaseMs,
      publishTimeoutMs: Math.min(options.publishTimeoutMs ?? 20_000, leaseMs / 2),
      idleMs: options.idleMs ?? 100,
      backoffMs: options.backoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 5000,
      retentionMs: options.retentionMs ?? 86_400_000,
      sweepIntervalMs: options.sweepIntervalMs ?? 60_000,
    }
  }

  stats(): RelayStats {
    return { ...this.#stats, publishedByTopic: Object.fromEntries(this.#publishedByTopic) }
  }

  /** Starts relaying in the background; returns at once (a broker that is down does not hold the start up). */
  start(): void {
    if (this.#running) return
    this.#stopping = false
    this.#running = this.#loop()
  }

  /** Finishes the batch in flight (bounded by the publish timeout), then stops; the publisher is closed. */
  async stop(): Promise<void> {
    this.#stopping = true
    this.#wake?.()
    await this.#running
    this.#running = undefined
    await this.#o.publisher.close()
  }

  /**
   * One claim → publish → mark round; returns how many events it published.
   * A failed publish gives the claim back at once (it is over: nothing of it
   * is still in flight); a timed-out one leaves its rows leased until the
   * lease lapses, in case a request of it is still on its way, and the relay
   * claims nothing meanwhile: claiming later rows first would publish a
   * task's later events before its earlier ones.
   */
  async relayOnce(): Promise<number> {
    const claimedAt = Date.now()
    const batch = await this.#o.outbox.claimBatch({
      limit: this.#o.batchSize,
      leaseMs: this.#o.leaseMs,
      owner: this.owner,
    })
    if (batch.length === 0) return 0
    const ids = batch.map((event) => event.id)
    const leaseLeftMs = this.#o.leaseMs - LEASE_MARGIN_MS - (Date.now() - claimedAt)
    const timeoutMs = Math.max(1, Math.min(this.#o.publishTimeoutMs, leaseLeftMs))
    try {
      await this.#o.publisher.publish(batch, { timeoutMs })
    } catch (error) {
      this.#stats.failedBatches++
      if (Date.now() - claimedAt < timeoutMs) {
        await this.#o.outbox.release(ids, this.owner).catch(() => undefined)
      } else {
        this.#holdUntil = claimedAt + this.#o.leaseMs
      }
      throw error
    }
    await this.#o.outbox.markPublished(ids)
    this.#stats.published += ids.length
    for (const event of batch) {
      this.#publishedByTopic.set(event.topic, (this.#publishedByTopic.get(event.topic) ?? 0) + 1)
    }
    return ids.length
  }

  /** Deletes published rows older than the retention, in bounded chunks; returns how many. */
  async sweep(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.#o.retentionMs).toISOString()
    let total = 0
    for (;;) {
      const deleted = await this.#o.outbox.purgePublished(before, SWEEP_CHUNK)
      total += deleted
      if (deleted < SWEEP_CHUNK || this.#stopping) break
    }
    this.#stats.swept += total
    return total
  }

  async #loop(): Promise<void> {
    let prepared = false
    let failures = 0
    while (!this.#stopping) {
      try {
        if (!prepared) {
          await this.#o.publisher.prepare()
          prepared = true
          this.#o.logger.info({ owner: this.owner }, 'outbox relay publishing')
        }
        if (Date.now() >= this.#nextSweepAt) {
          this.#nextSweepAt = Date.now() + this.#o.sweepIntervalMs
          const swept = await this.sweep()
          if (swept > 0) this.#o.logger.info({ swept }, 'swept published outbox events')
        }
        const published = await this.relayOnce()
        if (failures > 0) this.#o.logger.info({ failures }, 'outbox relay recovered')
        failures = 0
        if (published === 0) await this.#pause(this.#o.idleMs)
      } catch (error) {
        failures++
        this.#stats.failedRounds++
        const backoffMs = Math.min(this.#o.maxBackoffMs, this.#o.backoffMs * 2 ** (failures - 1))
        const pauseMs = Math.max(backoffMs, this.#holdUntil - Date.now())
        // The first failure, then one line per ceiling-long pause: a long outage logs, not floods.
        if (failures === 1 || pauseMs >= this.#o.maxBackoffMs) {
          this.#o.logger.warn(
            { err: error, failures, retryInMs: pauseMs },
            'outbox relay could not publish; the events stay in the outbox',
          )
        }
        await this.#pause(pauseMs)
      }
    }
  }

  #pause(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.#wake = done
    })
  }
}
