/**
 * The outbox relay against a real Kafka broker, on both store engines: what
 * a transaction commits reaches its topic (key, headers, payload) and only
 * then counts as published; rolled-back events never do; published rows are
 * swept; two relays on one PostgreSQL store never publish a row twice.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Admin } from '@platformatic/kafka'
import { pino } from 'pino'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { describeWithEngine } from '../../../test/support/engines.js'
import { probeKafka } from '../../../test/support/kafka-broker.js'
import { consumeEvents, duplicateCount } from '../../../test/support/kafka-consumer.js'
import { dropSchema, freshSchemaName, probePostgres } from '../../../test/support/postgres.js'
import type { NewOutboxEvent } from '../ports/outbox.js'
import type { Store } from '../ports/store.js'
import { PostgresStore } from '../postgres/postgres-store.js'
import { SqliteStore } from '../sqlite/sqlite-store.js'
import { eventHeaders, KafkaEventPublisher } from './kafka-publisher.js'
import { OutboxRelay } from './outbox-relay.js'

const topics = [
  'aion.router.decisions',
  'aion.tasks.lifecycle',
  'aion.runtime.metrics',
  'aion.audit.activity',
]
const logger = pino({ level: 'silent' })
// A broker on a busy machine: creating topics and first fetches take seconds, not milliseconds.
vi.setConfig({ testTimeout: 180_000 })
const kafka = await probeKafka()
const postgres = await probePostgres()
const sqliteRoot = mkdtempSync(join(tmpdir(), 'aion-relay-'))
afterAll(() => rmSync(sqliteRoot, { recursive: true, force: true }))

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function relayOn(store: Store, brokers: string[], options: { batchSize?: number } = {}) {
  const publisher = new KafkaEventPublisher({ brokers, topics, topicPartitions: 3 })
  return new OutboxRelay({ outbox: store.outbox, publisher, logger, idleMs: 20, ...options })
}

/** The four events one task's state change writes, one per topic. */
function taskEvents(tenantId: string, taskId: string): NewOutboxEvent[] {
  return topics.map((topic, n) => ({
    tenantId,
    topic,
    key: taskId,
    payload: { task_id: taskId, n, text: 'ünïcode ✓' },
  }))
}

function relayCases(open: () => Promise<Store>, brokers: () => string[]) {
  let store: Store
  afterAll(async () => {
    await store?.close()
  })

  it('publishes committed events keyed by task id, with event id and tenant in headers, then marks them', async () => {
    store = await open()
    await store.migrate()
    const tenantId = `t_${randomUUID()}`
    const taskId = `tsk_${randomUUID()}`
    await store.transaction((tx) => tx.outbox.append(taskEvents(tenantId, taskId)))
    const rolledBack = store.transaction(async (tx) => {
      await tx.outbox.append(taskEvents(tenantId, 'tsk_rolled_back'))
      throw new Error('abort')
    })
    await expect(rolledBack).rejects.toThrow('abort')
    const committed = await store.outbox.list(0, 100_000, undefined, tenantId)
    expect(committed).toHaveLength(4)

    const relay = relayOn(store, brokers())
    relay.start()
    try {
      await waitFor(
        'the outbox drained',
        async () => (await store.outbox.pendingCount(tenantId)) === 0,
      )
    } finally {
      await relay.stop()
    }
    const marked = await store.outbox.list(0, 100_000, undefined, tenantId)
    expect(marked.every((e) => e.publishedAt !== null)).toBe(true)

    const { records } = await consumeEvents({
      brokers: brokers(),
      topics,
      filter: (e) => e.headers[eventHeaders.tenantId] === tenantId,
      distinct: 4,
    })
    expect(records).toHaveLength(4)
    const byId = new Map(records.map((r) => [r.eventId, r]))
    for (const event of committed) {
      const record = byId.get(event.id)
      expect(record).toMatchObject({
        topic: event.topic,
        key: taskId,
        value: event.payload,
        headers: {
          [eventHeaders.eventId]: String(event.id),
          [eventHeaders.tenantId]: tenantId,
          [eventHeaders.createdAt]: event.createdAt,
        },
      })
    }
    // One key, one partition: a task's events stay in order across topics' partitions.
    expect(new Set(records.map((r) => r.partition)).size).toBe(1)
  })

  it('creates the topics with the partitions and retention it was given', async () => {
    const admin = new Admin({ clientId: 'aion-test-admin', bootstrapBrokers: brokers() })
    try {
      const metadata = await admin.metadata({ topics, forceUpdate: true })
      for (const topic of topics) expect(metadata.topics.get(topic)?.partitionsCount).toBe(3)
      const [config] = await admin.describeConfigs({
        resources: [
          { resourceType: 2, resourceName: topics[0]!, configurationKeys: ['retention.ms'] },
        ],
      })
      expect(config?.configs.find((c) => c.name === 'retention.ms')?.value).toBe(
        String(7 * 86_400_000),
      )
    } finally {
      await admin.close()
    }
  })

  it('sweeps published rows past the retention and never pending ones', async () => {
    const tenantId = `t_${randomUUID()}`
    await store.outbox.append(taskEvents(tenantId, 'tsk_sweep'))
    const relay = relayOn(store, brokers())
    expect(await relay.relayOnce()).toBeGreaterThanOrEqual(4)
    await store.outbox.append(taskEvents(tenantId, 'tsk_pending'))
    // Retention is a day: an hour later nothing goes, two days later the published rows do.
    expect(await relay.sweep(new Date(Date.now() + 3_600_000))).toBe(0)
    expect(await relay.sweep(new Date(Date.now() + 2 * 86_400_000))).toBeGreaterThanOrEqual(4)
    const left = await store.outbox.list(0, 100_000, undefined, tenantId)
    expect(left.map((e) => e.key)).toEqual(Array(4).fill('tsk_pending'))
    expect(relay.stats().swept).toBeGreaterThanOrEqual(4)
    await relay.stop()
  })
}

describeWithEngine('Kafka', kafka, (broker) => {
  afterAll(() => broker.dispose())

  describe('OutboxRelay on SQLite', () => {
    relayCases(
      () => SqliteStore.open({ dataDir: join(sqliteRoot, 'relay') }),
      () => broker.brokers,
    )
  })

  describeWithEngine('PostgreSQL', postgres, (url) => {
    const schema = freshSchemaName('aion_relay')
    afterAll(() => dropSchema(url, schema))

    describe('OutboxRelay on PostgreSQL', () => {
      relayCases(
        () => PostgresStore.open({ url, schema }),
        () => broker.brokers,
      )

      it('two relays on one store never publish a row twice: every event once, both relays busy', async () => {
        const stores = [
          await PostgresStore.open({ url, schema }),
          await PostgresStore.open({ url, schema }),
        ]
        const tenantId = `t_${randomUUID()}`
        const relays = stores.map((s) => relayOn(s, broker.brokers, { batchSize: 20 }))
        for (const relay of relays) relay.start()
        let enqueued = 0
        try {
          // Waves of commits while both relays run, as two processes would see them.
          for (let wave = 0; wave < 15; wave++) {
            const events = Array.from({ length: 10 }, () =>
              taskEvents(tenantId, `tsk_${randomUUID()}`),
            ).flat()
            await stores[wave % 2]!.transaction((tx) => tx.outbox.append(events))
            enqueued += events.length
            await new Promise((r) => setTimeout(r, 30))
          }
          await waitFor(
            'the outbox drained',
            async () => (await stores[0]!.outbox.pendingCount(tenantId)) === 0,
          )
        } finally {
          for (const relay of relays) await relay.stop()
        }
        const busy = relays.map((r) => r.stats().published)
        expect(busy.every((n) => n > 0)).toBe(true)
        const { records, distinctIds } = await consumeEvents({
          brokers: broker.brokers,
          topics,
          filter: (e) => e.headers[eventHeaders.tenantId] === tenantId,
          distinct: enqueued,
          settleMs: 2000,
        })
        expect(distinctIds.size).toBe(enqueued)
        expect(duplicateCount(records)).toBe(0)
        for (const s of stores) await s.close()
      })
    })
  })
})
