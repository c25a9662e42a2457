/**
 * Outbox events onto Apache Kafka with `@platformatic/kafka`: an idempotent
 * producer (acks=all, one request in flight per broker, sequence numbers the
 * broker checks), so a retried request inside one producer session never
 * writes a record twice. A failed or timed-out publish throws away the
 * producer: its session's sequence numbers may no longer match the broker's,
 * and a fresh session (a new producer id) starts clean. Records of a batch
 * that the broker had taken before the failure are written again by the
 * retry; consumers dedupe on the `aion-event-id` header.
 */
import { Admin, compatibilityPartitioner, Producer, stringSerializers } from '@platformatic/kafka'
import { EventBrokerUnavailableError } from '../../core/errors/index.js'
import type { OutboxEvent } from '../ports/outbox.js'
import type { EventPublisher, PublishOptions } from './event-publisher.js'

/** Headers every published record carries. */
export const eventHeaders = {
  /** The outbox row's id: unique per store, what consumers dedupe on. */
  eventId: 'aion-event-id',
  tenantId: 'aion-tenant-id',
  /** When the state change committed (ISO-8601); also the record's timestamp. */
  createdAt: 'aion-created-at',
} as const

/** Options of {@link KafkaEventPublisher}. */
export interface KafkaPublisherOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[]
  /** @default 'omertaos-outbox-relay' */
  readonly clientId?: string
  /** Topics {@link KafkaEventPublisher.prepare} creates when missing. @default [] */
  readonly topics?: readonly string[]
  /** Partitions of a created topic. @default 3 */
  readonly topicPartitions?: number
  /** Replicas of a created topic. @default undefined: the broker's default */
  readonly replicationFactor?: number
  /** `retention.ms` of a created topic. @default 604800000 (7 days) */
  readonly retentionMs?: number
  /** Deadline of one request to a broker. @default 10000 */
  readonly requestTimeoutMs?: number
  /** SASL authentication. @default undefined: none */
  readonly sasl?: {
    readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
    readonly username: string
    readonly password: string
  }
  /**
   * TLS to the brokers, their certificates verified against `ca` (PEM) or the
   * system's CAs. @default undefined: plaintext
   */
  readonly tls?: { readonly ca?: string }
}

const DEFAULT_PUBLISH_TIMEOUT_MS = 20_000
const CLOSE_TIMEOUT_MS = 5000

type StringProducer = Producer<string, string, string, string>

/** {@link EventPublisher} onto a Kafka cluster. */
export class KafkaEventPublisher implements EventPublisher {
  readonly #options: KafkaPublisherOptions
  #producer: StringProducer | undefined

  constructor(options: KafkaPublisherOptions) {
    this.#options = options
  }

  /** Creates the configured topics that do not exist yet; existing ones are left as they are. */
  async prepare(): Promise<void> {
    const wanted = this.#options.topics ?? []
    if (wanted.length === 0) return
    const admin = new Admin({ ...this.#base(), clientId: `${this.#clientId()}-admin` })
    try {
      const missing = async () => {
        const existing = new Set(await admin.listTopics())
        return wanted.filter((topic) => !existing.has(topic))
      }
      const toCreate = await missing()
      if (toCreate.length === 0) return
      try {
        await admin.createTopics({
          topics: toCreate,
          partitions: this.#options.topicPartitions ?? 3,
          ...(this.#options.replicationFactor === undefined
            ? {}
            : { replicas: this.#options.replicationFactor }),
          configs: [
            { name: 'retention.ms', value: String(this.#options.retentionMs ?? 604_800_000) },
          ],
        })
      } catch (error) {
        // Another relay may have created them meanwhile: only what is still missing is a failure.
        if ((await missing()).length > 0) throw error
      }
    } catch (error) {
      throw this.#unavailable(error)
    } finally {
      await admin.close().catch(() => undefined)
    }
  }

  async publish(events: readonly OutboxEvent[], options: PublishOptions = {}): Promise<void> {
    if (events.length === 0) return
    const producer = this.#currentProducer()
    const timeoutMs = options.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no acknowledgement within ${timeoutMs} ms`))
      }, timeoutMs)
    })
    const sending = producer.send({ messages: events.map(toMessage) })
    sending.catch(() => undefined) // a send the timeout overtook may still reject later
    try {
      await Promise.race([sending, timedOut])
    } catch (error) {
      await this.#discardProducer()
      throw this.#unavailable(error)
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    await this.#discardProducer()
  }

  #currentProducer(): StringProducer {
    this.#producer ??= new Producer({
      ...this.#base(),
      clientId: this.#clientId(),
      idempotent: true,
      acks: -1,
      // Bounded, so a publish fails (and the relay backs off) instead of retrying forever.
      retries: 3,
      retryDelay: 250,
      autocreateTopics: false,
      // Java's default partitioner (murmur2 & 0x7fffffff): a task id lands on
      // the partition any Kafka client would pick for it.
      partitioner: compatibilityPartitioner,
      serializers: stringSerializers,
    })
    return this.#producer
  }

  async #discardProducer(): Promise<void> {
    const producer = this.#producer
    this.#producer = undefined
    // force: pending requests are failed now rather than retried into a new session.
    if (producer === undefined) return
    // Bounded too: a shutdown never hangs on a broker that stopped answering.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)
      producer.close(true, () => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  #base() {
    const timeout = this.#options.requestTimeoutMs ?? 10_000
    const { sasl, tls } = this.#options
    return {
      bootstrapBrokers: [...this.#options.brokers],
      timeout,
      requestTimeout: timeout,
      connectTimeout: Math.min(timeout, 5000),
      retries: 3,
      retryDelay: 250,
      ...(sasl === undefined ? {} : { sasl: { ...sasl } }),
      ...(tls === undefined ? {} : { tls: tls.ca === undefined ? {} : { ca: tls.ca } }),
    }
  }

  #clientId(): string {
    return this.#options.clientId ?? 'omertaos-outbox-relay'
  }

  #unavailable(error: unknown) {
    return new EventBrokerUnavailableError(
      { brokers: this.#options.brokers, detail: describeKafkaError(error) },
      { cause: error },
    )
  }
}

/** One outbox row as a Kafka record: keyed by the row's key (a task id), JSON value. */
function toMessage(event: OutboxEvent) {
  const createdMs = Date.parse(event.createdAt)
  return {
    topic: event.topic,
    ...(event.key === null ? {} : { key: event.key }),
    value: JSON.stringify(event.payload),
    headers: {
      [eventHeaders.eventId]: String(event.id),
      [eventHeaders.tenantId]: event.tenantId,
      [eventHeaders.createdAt]: event.createdAt,
    },
    ...(Number.isFinite(createdMs) ? { timestamp: BigInt(createdMs) } : {}),
  }
}

/** The first specific message of a driver error (its aggregates nest the useful one). */
export function describeKafkaError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return `${error.message}: ${describeKafkaError(error.errors[0])}`
  }
  return error instanceof Error ? error.message || error.name : String(error)
}
