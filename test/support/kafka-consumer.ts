/**
 * Reads the platform's event topics back with a real Kafka consumer (a fresh
 * group, from the earliest offset) and dedupes on the event id, as any
 * consumer of the platform's topics must.
 */
import { Consumer, stringDeserializers } from '@platformatic/kafka'
import { randomUUID } from 'node:crypto'

/** One record as a consumer sees it. */
export interface ConsumedEvent {
  readonly topic: string
  readonly partition: number
  readonly key: string | undefined
  readonly value: unknown
  readonly headers: Readonly<Record<string, string>>
  /** The `aion-event-id` header as a number. */
  readonly eventId: number
}

/** Options of {@link consumeEvents}. */
export interface ConsumeEventsOptions {
  readonly brokers: readonly string[]
  readonly topics: readonly string[]
  /** Keep only the records this accepts (e.g. one tenant's). @default all */
  readonly filter?: (event: ConsumedEvent) => boolean
  /** Stop once this many distinct event ids were read. */
  readonly distinct: number
  /** Stop waiting after this long (then return what was read). @default 60000 */
  readonly timeoutMs?: number
  /** Once `distinct` ids were read, go on reading this long to catch late duplicates. @default 0 */
  readonly settleMs?: number
}

/** Every record read (duplicates included) and the distinct event ids among them. */
export interface Consumed {
  readonly records: ConsumedEvent[]
  readonly distinctIds: Set<number>
}

/** Reads `topics` from the start until `distinct` event ids passed the filter, or the timeout. */
export async function consumeEvents(options: ConsumeEventsOptions): Promise<Consumed> {
  const consumer = new Consumer({
    groupId: `aion-test-${randomUUID()}`,
    clientId: 'aion-test-consumer',
    bootstrapBrokers: [...options.brokers],
    deserializers: stringDeserializers,
    maxWaitTime: 200,
  })
  const records: ConsumedEvent[] = []
  const distinctIds = new Set<number>()
  const stream = await consumer.consume({
    topics: [...options.topics],
    mode: 'earliest',
    autocommit: false,
  })
  let settle: NodeJS.Timeout | undefined
  const timer = setTimeout(() => {
    void stream.close()
  }, options.timeoutMs ?? 60_000)
  try {
    for await (const message of stream) {
      const headers = Object.fromEntries(message.headers)
      const event: ConsumedEvent = {
        topic: message.topic,
        partition: message.partition,
        key: message.key === undefined || message.key === null ? undefined : message.key,
        value: JSON.parse(message.value ?? 'null') as unknown,
        headers,
        eventId: Number(headers['aion-event-id']),
      }
      if (options.filter && !options.filter(event)) continue
      records.push(event)
      distinctIds.add(event.eventId)
      if (distinctIds.size >= options.distinct && settle === undefined) {
        if (!options.settleMs) break
        settle = setTimeout(() => {
          void stream.close()
        }, options.settleMs)
      }
    }
  } finally {
    clearTimeout(timer)
    clearTimeout(settle)
    await stream.close().catch(() => undefined)
    await consumer.close().catch(() => undefined)
  }
  return { records, distinctIds }
}

/** How many records repeat an event id already read. */
export function duplicateCount(records: readonly ConsumedEvent[]): number {
  return records.length - new Set(records.map((r) => r.eventId)).size
}
