/**
 * The `events` section of the settings: where the outbox's events go beyond
 * the embedded log (Apache Kafka) and how long published rows stay in the
 * outbox. Parsed from values the settings schema has already checked;
 * {@link loadSettings} calls it.
 */

/** The Kafka cluster the outbox relay publishes to. */
export interface KafkaSettings {
  /** `AION_KAFKA_BROKERS`: bootstrap brokers as `host:port`. */
  readonly brokers: readonly string[]
  /** `AION_KAFKA_TOPIC_PARTITIONS`: partitions of a topic the relay creates. @default 3 */
  readonly topicPartitions: number
  /**
   * `AION_KAFKA_REPLICATION_FACTOR`: replicas of a topic the relay creates.
   * @default undefined: the broker's `default.replication.factor`
   */
  readonly replicationFactor: number | undefined
  /** `AION_KAFKA_RETENTION_DAYS`, as `retention.ms` of a topic the relay creates. @default 7 days */
  readonly retentionMs: number
}

/** Events: the embedded outbox log, and Kafka when configured. */
export interface EventSettings {
  /** Present when `AION_KAFKA_BROKERS` is set; unset keeps the embedded log alone (no relay). */
  readonly kafka: KafkaSettings | undefined
  /**
   * `AION_OUTBOX_RETENTION_MS`: how long a row published to Kafka stays in the
   * outbox (and `GET /v1/events`) before the relay's sweep deletes it.
   * Unpublished rows are never swept. @default 86400000 (one day)
   */
  readonly outboxRetentionMs: number
}

const DAY_MS = 86_400_000

type Values = Record<string, unknown>

/** The `events` section of checked `values`. */
export function eventSettings(values: Values): EventSettings {
  const brokers = values.AION_KAFKA_BROKERS
  return {
    kafka:
      typeof brokers === 'string'
        ? {
            brokers: brokers.split(','),
            topicPartitions: values.AION_KAFKA_TOPIC_PARTITIONS as number,
            replicationFactor: values.AION_KAFKA_REPLICATION_FACTOR as number | undefined,
            retentionMs: (values.AION_KAFKA_RETENTION_DAYS as number) * DAY_MS,
          }
        : undefined,
    outboxRetentionMs: values.AION_OUTBOX_RETENTION_MS as number,
  }
}
