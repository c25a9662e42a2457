/** The outbox relay and its Kafka publisher (imported by the server when `AION_KAFKA_BROKERS` is set). */
export type { EventPublisher, PublishOptions } from './event-publisher.js'
export { eventHeaders, KafkaEventPublisher, type KafkaPublisherOptions } from './kafka-publisher.js'
export {
  OutboxRelay,
  type OutboxRelayOptions,
  type RelayLogger,
  type RelayStats,
} from './outbox-relay.js'
export {
  platformEventTopics,
  tailKafkaEvents,
  type KafkaTailOptions,
  type TailedEvent,
} from './event-consumer.js'
