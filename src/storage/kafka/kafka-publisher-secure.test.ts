/**
 * The relay's SASL/SCRAM and TLS client settings against a broker whose
 * listener demands both: the right user over a verified certificate
 * publishes; a wrong password or an unverifiable certificate publishes
 * nothing, and the events stay in the outbox.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, expect, it, vi } from 'vitest'
import { EventBrokerUnavailableError } from '../../core/errors/index.js'
import { describeWithEngine } from '../../../test/support/engines.js'
import { probeKafka, type SecureListener } from '../../../test/support/kafka-broker.js'
import { consumeEvents } from '../../../test/support/kafka-consumer.js'
import { SqliteStore } from '../sqlite/sqlite-store.js'
import { eventHeaders, KafkaEventPublisher, type KafkaPublisherOptions } from './kafka-publisher.js'
import { OutboxRelay } from './outbox-relay.js'

const topic = 'aion.audit.activity'
// A broker on a busy machine: creating topics and first fetches take seconds, not milliseconds.
vi.setConfig({ testTimeout: 180_000 })
const kafka = await probeKafka({ secure: true })
const root = mkdtempSync(join(tmpdir(), 'aion-relay-secure-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function publisherOptions(secure: SecureListener): KafkaPublisherOptions {
  return {
    brokers: secure.brokers,
    topics: [topic],
    sasl: { mechanism: 'SCRAM-SHA-512', username: secure.username, password: secure.password },
    tls: { ca: secure.ca },
    requestTimeoutMs: 5000,
  }
}

describeWithEngine('Kafka with SASL_SSL', kafka, (broker) => {
  afterAll(() => broker.dispose())
  const secure = () => broker.secure as SecureListener

  it('publishes as the SCRAM user over TLS verified against the given CA', async () => {
    const store = await SqliteStore.open({ dataDir: join(root, 'ok') })
    await store.migrate()
    const tenantId = `t_${randomUUID()}`
    await store.outbox.append([
      { tenantId, topic, key: 'k1', payload: { n: 1 } },
      { tenantId, topic, key: 'k2', payload: { n: 2 } },
    ])
    const publisher = new KafkaEventPublisher(publisherOptions(secure()))
    const relay = new OutboxRelay({
      outbox: store.outbox,
      publisher,
      logger: pino({ level: 'silent' }),
    })
    try {
      await publisher.prepare()
      expect(await relay.relayOnce()).toBe(2)
    } finally {
      await relay.stop()
    }
    expect(await store.outbox.pendingCount(tenantId)).toBe(0)
    const { distinctIds } = await consumeEvents({
      brokers: broker.brokers,
      topics: [topic],
      filter: (e) => e.headers[eventHeaders.tenantId] === tenantId,
      distinct: 2,
    })
    expect(distinctIds.size).toBe(2)
    await store.close()
  })

  it('publishes nothing with a wrong password or a certificate it cannot verify', async () => {
    const store = await SqliteStore.open({ dataDir: join(root, 'refused') })
    await store.migrate()
    const tenantId = `t_${randomUUID()}`
    await store.outbox.append([{ tenantId, topic, key: 'k', payload: { n: 1 } }])
    const wrongPassword: KafkaPublisherOptions = {
      ...publisherOptions(secure()),
      sasl: { mechanism: 'SCRAM-SHA-512', username: secure().username, password: 'not-it' },
    }
    const systemCas: KafkaPublisherOptions = { ...publisherOptions(secure()), tls: {} }
    for (const options of [wrongPassword, systemCas]) {
      const publisher = new KafkaEventPublisher(options)
      await expect(publisher.prepare()).rejects.toBeInstanceOf(EventBrokerUnavailableError)
      const relay = new OutboxRelay({
        outbox: store.outbox,
        publisher,
        logger: pino({ level: 'silent' }),
      })
      await expect(relay.relayOnce()).rejects.toMatchObject({
        code: 'AION_EVENTS_BROKER_UNAVAILABLE',
      })
      await relay.stop()
      expect(await store.outbox.pendingCount(tenantId)).toBe(1)
    }
    await store.close()
  })
})
