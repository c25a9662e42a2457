import type { OutboxEvent } from '../ports/outbox.js'

/** Options of {@link EventPublisher.publish}. */
export interface PublishOptions {
  /** Longest wait for the broker's acknowledgement. @default 20000 */
  readonly timeoutMs?: number
}

/**
 * Where the outbox relay publishes events (Kafka in production). `publish`
 * resolves only once every event of the batch is acknowledged durably;
 * rejecting means some may not be, and the relay publishes the batch again.
 */
export interface EventPublisher {
  /** Readies the destination (creates missing topics); the relay calls it until it succeeds. */
  prepare(): Promise<void>
  publish(events: readonly OutboxEvent[], options?: PublishOptions): Promise<void>
  close(): Promise<void>
}
