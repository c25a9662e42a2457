import { resolve } from 'node:path'
import type { SettingsProblem } from '../errors/index.js'
import { Secret } from '../secret.js'

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
  /** `AION_KAFKA_SASL_MECHANISM` + `_USERNAME` + `_PASSWORD`. @default undefined: no SASL */
  readonly sasl: KafkaSasl | undefined
  /** `AION_KAFKA_TLS` (+ `AION_KAFKA_TLS_CA_FILE`, absolute). @default undefined: plaintext */
  readonly tls: { readonly caFile: string | undefined } | undefined
}

/** How the relay authenticates to the brokers. */
export interface KafkaSasl {
  readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
  readonly username: string
  readonly password: Secret
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

const SASL_PARTS = [
  'AION_KAFKA_SASL_MECHANISM',
  'AION_KAFKA_SASL_USERNAME',
  'AION_KAFKA_SASL_PASSWORD',
] as const

/** The `events` section of checked `values`, and a problem for an incomplete SASL set. */
export function eventSettings(
  values: Values,
  cwd: string,
): { settings: EventSettings; problems: SettingsProblem[] } {
  const given = SASL_PARTS.filter((name) => values[name] !== undefined)
  const problems: SettingsProblem[] =
    given.length === 0 || given.length === SASL_PARTS.length
      ? []
      : SASL_PARTS.filter((name) => values[name] === undefined).map((variable) => ({
          variable,
          message: `is needed with ${given.join(' and ')}`,
        }))
  const brokers = values.AION_KAFKA_BROKERS
  const caFile = values.AION_KAFKA_TLS_CA_FILE as string | undefined
  const sasl =
    given.length === SASL_PARTS.length
      ? {
          mechanism: values.AION_KAFKA_SASL_MECHANISM as KafkaSasl['mechanism'],
          username: values.AION_KAFKA_SASL_USERNAME as string,
          password: new Secret(values.AION_KAFKA_SASL_PASSWORD as string),
        }
      : undefined
  const tls =
    caFile !== undefined || values.AION_KAFKA_TLS === true
      ? { caFile: caFile === undefined ? undefined : resolve(cwd, caFile) }
      : undefined
  const settings: EventSettings = {
    kafka:
      typeof brokers === 'string'
        ? {
            brokers: brokers.split(','),
            topicPartitions: values.AION_KAFKA_TOPIC_PARTITIONS as number,
            replicationFactor: values.AION_KAFKA_REPLICATION_FACTOR as number | undefined,
            retentionMs: (values.AION_KAFKA_RETENTION_DAYS as number) * DAY_MS,
            sasl,
            tls,
          }
        : undefined,
    outboxRetentionMs: values.AION_OUTBOX_RETENTION_MS as number,
  }
  return { settings, problems }
}
