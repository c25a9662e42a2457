/**
 * Reads the platform's event topics back from Apache Kafka with
 * `@platformatic/kafka`, for `aionctl events tail` when `AION_KAFKA_BROKERS`
 * is set. Each tail is a consumer group of its own that commits nothing: it
 * observes, so it never takes partitions from (or moves the offsets of) a
 * real consumer. The relay may publish a row more than once (a retried
 * batch), so records are deduped on the `aion-event-id` header, as every
 * consumer of these topics must.
 */
import { randomUUID } from 'node:crypto'
import { Consumer, stringDeserializers } from '@platformatic/kafka'
import type { JsonValue } from '../../core/domain/index.js'
import { EventBrokerUnavailableError } from '../../core/errors/index.js'
import {
  describeKafkaError,
  eventHeaders,
  KafkaEventPublisher,
  type KafkaPublisherOptions,
} from './kafka-publisher.js'

/**
 * The four topics the outbox relay publishes (their names are the control
 * plane's, src/control/lifecycle/platform-topics.ts; storage may not import it).
 */
export const platformEventTopics: readonly string[] = [
  'aion.router.decisions',
  'aion.tasks.lifecycle',
  'aion.runtime.metrics',
  'aion.audit.activity',
]

/** One event as `GET /v1/events` shows it, read from its Kafka record. */
export interface TailedEvent {
  readonly id: number
  readonly tenantId: string
  readonly topic: string
  readonly key: string | null
  readonly payload: JsonValue
  readonly createdAt: string
}

/** Options of {@link tailKafkaEvents}. */
export interface KafkaTailOptions extends Pick<
  KafkaPublisherOptions,
  'brokers' | 'sasl' | 'tls' | 'requestTimeoutMs'
> {
  /** @default {@link platformEventTopics} */
  readonly topics?: readonly string[]
  /** `latest`: only what is published from now on; `earliest`: what the topics still retain. @default 'latest' */
  readonly from?: 'latest' | 'earliest'
  /** Keep only the events this accepts. @default all */
  readonly filter?: (event: TailedEvent) => boolean
  /** Resolved once the consumer joined its group (what is published after it is seen). */
  readonly onReady?: () => void
  /** Stops the tail: the consumer leaves its group and closes, then the promise resolves. */
  readonly signal: AbortSignal
  /**
   * Creates the topics that do not exist yet, as the relay would (a tail
   * started before any relay ran waits on them instead of failing).
   * @default undefined: a missing topic is an error
   */
  readonly createTopics?: Pick<
    KafkaPublisherOptions,
    'topicPartitions' | 'replicationFactor' | 'retentionMs'
  >
  /** @default 'aionctl-events-tail' */
  readonly clientId?: string
}

/** How many event ids the dedupe remembers: a duplicate comes back within a batch or two, not days later. */
const DEDUPE_WINDOW = 100_000
const CLOSE_TIMEOUT_MS = 5000

/**
 * Calls `onEvent` for each distinct event published to the topics until
 * `signal` aborts. Rejects with {@link EventBrokerUnavailableError}
 * (`AION_EVENTS_BROKER_UNAVAILABLE`) when the brokers cannot be reached, or
 * stop answering while it reads.
 */
export async function tailKafkaEvents(
  options: KafkaTailOptions,
  onEvent: (event: TailedEvent) => void,
): Promise<void> {
  const timeout = options.requestTimeoutMs ?? 10_000
  const { sasl, tls } = options
  const consumer = new Consumer({
    groupId: `aionctl-tail-${randomUUID()}`,
    clientId: options.clientId ?? 'aionctl-events-tail',
    bootstrapBrokers: [...options.brokers],
    deserializers: stringDeserializers,
    timeout,
    requestTimeout: timeout,
    connectTimeout: Math.min(timeout, 5000),
    retries: 2,
    retryDelay: 250,
    maxWaitTime: 500,
    ...(sasl === undefined ? {} : { sasl: { ...sasl } }),
    ...(tls === undefined ? {} : { tls: tls.ca === undefined ? {} : { ca: tls.ca } }),
  })
  const unavailable = (error: unknown) =>
    new EventBrokerUnavailableError(
      { brokers: options.brokers, detail: describeKafkaError(error) },
      { cause: error },
    )
  const topics = [...(options.topics ?? platformEventTopics)]
  try {
    if (options.signal.aborted) return
    if (options.createTopics !== undefined) {
      // The relay's own topic creation (partitions, replicas, retention from the same settings).
      await new KafkaEventPublisher({
        brokers: options.brokers,
        clientId: options.clientId ?? 'aionctl-events-tail',
        topics,
        requestTimeoutMs: timeout,
        ...options.createTopics,
        ...(sasl === undefined ? {} : { sasl }),
        ...(tls === undefined ? {} : { tls }),
      }).prepare()
    }
    let stream: Awaited<ReturnType<typeof consumer.consume>>
    try {
      // "From the end" is the end when the tail says it is reading: the stream's
      // own `latest` mode looks the offsets up after `consume` resolves, so a
      // record published just after `onReady` could fall before them.
      const start =
        options.from === 'earliest'
          ? ({ mode: 'earliest' } as const)
          : ({
              mode: 'manual',
              offsets: endOffsets(await consumer.listOffsets({ topics })),
            } as const)
      stream = await consumer.consume({ topics, ...start, autocommit: false })
    } catch (error) {
      throw unavailable(error)
    }
    const stop = () => void stream.close().catch(() => undefined)
    options.signal.addEventListener('abort', stop, { once: true })
    if (options.signal.aborted) stop()
    options.onReady?.()
    const seen = new Set<number>()
    try {
      for await (const message of stream) {
        const headers = Object.fromEntries(message.headers)
        const id = Number(headers[eventHeaders.eventId])
        if (seen.has(id)) continue
        seen.add(id)
        // Sets iterate in insertion order: the first one is the oldest id.
        if (seen.size > DEDUPE_WINDOW) seen.delete(seen.values().next().value as number)
        const event: TailedEvent = {
          id,
          tenantId: headers[eventHeaders.tenantId] ?? '',
          topic: message.topic,
          key: message.key === undefined || message.key === null ? null : message.key,
          payload: parsePayload(message.value),
          createdAt:
            headers[eventHeaders.createdAt] ?? new Date(Number(message.timestamp)).toISOString(),
        }
        if (options.filter && !options.filter(event)) continue
        onEvent(event)
      }
    } catch (error) {
      if (!options.signal.aborted) throw unavailable(error)
    } finally {
      options.signal.removeEventListener('abort', stop)
      await stream.close().catch(() => undefined)
    }
  } finally {
    await closeBounded(consumer)
  }
}

/** Each partition's end offset, as the stream's `manual` mode takes them. */
function endOffsets(offsets: Map<string, bigint[]>) {
  return [...offsets].flatMap(([topic, ends]) =>
    ends.map((offset, partition) => ({ topic, partition, offset })),
  )
}

/** A record's value as JSON; one that is not JSON (not written by the relay) is shown as its text. */
function parsePayload(value: string | undefined | null): JsonValue {
  if (value === undefined || value === null) return null
  try {
    return JSON.parse(value) as JsonValue
  } catch {
    return value
  }
}

/** Leaves the group and closes; bounded, so Ctrl-C never hangs on a broker that stopped answering. */
async function closeBounded(consumer: Consumer<string, string, string, string>): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)
    consumer.close(true, () => {
      clearTimeout(timer)
      resolve()
    })
  })
}
