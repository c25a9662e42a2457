/**
 * Kafka down: the outbox grows while the broker is away (nothing is marked
 * published without an acknowledgement) and drains once it is back, with
 * every committed event on its topic. Needs a broker of its own, which it
 * stops and restarts.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, expect, it, vi } from 'vitest'
import { describeWithEngine } from '../../../test/support/engines.js'
import { probeKafka } from '../../../test/support/kafka-broker.js'
import { consumeEvents } from '../../../test/support/kafka-consumer.js'
import { SqliteStore } from '../sqlite/sqlite-store.js'
import { eventHeaders, KafkaEventPublisher } from './kafka-publisher.js'
import { OutboxRelay } from './outbox-relay.js'

const topic = 'aion.tasks.lifecycle'
// A broker on a busy machine: creating topics and first fetches take seconds, not milliseconds.
vi.setConfig({ testTimeout: 180_000 })
const kafka = await probeKafka({ own: true })
const root = mkdtempSync(join(tmpdir(), 'aion-relay-outage-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describeWithEngine('Kafka (a broker of its own)', kafka, (broker) => {
  afterAll(() => broker.dispose())

  it('grows the outbox while the broker is down and drains it when it returns, dropping nothing', async () => {
    const store = await SqliteStore.open({ dataDir: join(root, 'store') })
    await store.migrate()
    const tenantId = `t_${randomUUID()}`
    const commit = (n: number) =>
      store.transaction((tx) =>
        tx.outbox.append(
          Array.from({ length: n }, () => {
            const taskId = `tsk_${randomUUID()}`
            return { tenantId, topic, key: taskId, payload: { task_id: taskId } }
          }),
        ),
      )
    const relay = new OutboxRelay({
      outbox: store.outbox,
      publisher: new KafkaEventPublisher({ brokers: broker.brokers, topics: [topic] }),
      logger: pino({ level: 'silent' }),
      idleMs: 20,
      publishTimeoutMs: 5000,
      maxBackoffMs: 1000,
    })
    relay.start()
    try {
      await commit(20)
      await waitFor(
        'the first events were published',
        async () => relay.stats().published === 20,
        60_000,
      )

      await broker.stop()
      const downAt = Date.now()
      for (let wave = 1; wave <= 10; wave++) {
        await commit(20)
        expect(await store.outbox.pendingCount(tenantId)).toBe(wave * 20)
        await new Promise((r) => setTimeout(r, 300))
      }
      // Well past a publish timeout and several retries: still nothing marked.
      await new Promise((r) => setTimeout(r, 6000))
      expect(await store.outbox.pendingCount(tenantId)).toBe(200)
      expect(relay.stats().published).toBe(20)
      expect(relay.stats().failedBatches).toBeGreaterThan(0)

      await broker.restart()
      const upAt = Date.now()
      await waitFor(
        'the outbox drained',
        async () => (await store.outbox.pendingCount(tenantId)) === 0,
        120_000,
      )
      console.log(
        `outage: broker down ${Math.round((upAt - downAt) / 1000)} s, outbox grew to 200 pending, ` +
          `drained ${Math.round((Date.now() - upAt) / 100) / 10} s after the broker was back`,
      )
    } finally {
      await relay.stop()
    }
    const committed = await store.outbox.list(0, 100_000, undefined, tenantId)
    expect(committed).toHaveLength(220)
    const { distinctIds } = await consumeEvents({
      brokers: broker.brokers,
      topics: [topic],
      filter: (e) => e.headers[eventHeaders.tenantId] === tenantId,
      distinct: 220,
      timeoutMs: 60_000,
    })
    const missing = committed.filter((e) => !distinctIds.has(e.id))
    expect(missing).toEqual([])
    await store.close()
  })

  it('leaves a timed-out batch leased to its relay, claims nothing after it, and publishes it in order once the broker answers', async () => {
    const store = await SqliteStore.open({ dataDir: join(root, 'frozen') })
    await store.migrate()
    const tenantId = `t_${randomUUID()}`
    const taskId = `tsk_${randomUUID()}`
    let seq = 0
    const commit = (n: number) =>
      store.outbox.append(
        Array.from({ length: n }, () => ({
          tenantId,
          topic,
          key: taskId,
          payload: { seq: seq++ },
        })),
      )
    const relay = new OutboxRelay({
      outbox: store.outbox,
      publisher: new KafkaEventPublisher({ brokers: broker.brokers, topics: [topic] }),
      logger: pino({ level: 'silent' }),
      idleMs: 20,
      leaseMs: 12_000,
      publishTimeoutMs: 2000,
      maxBackoffMs: 500,
    })
    relay.start()
    try {
      await commit(10)
      await waitFor(
        'the first events were published',
        async () => (await store.outbox.pendingCount(tenantId)) === 0,
        60_000,
      )
      broker.freeze()
      try {
        await commit(10)
        await waitFor('a publish timed out', async () => relay.stats().failedBatches > 0, 30_000)
        await commit(10)
        // The timed-out batch (seq 10–19) is still leased to the relay, so no other relay
        // may take it now; the relay itself claimed nothing after it (seq 20–29 are free).
        const other = await store.outbox.claimBatch({ owner: 'another-relay', leaseMs: 1 })
        expect(other.map((e) => (e.payload as { seq: number }).seq)).toEqual(
          Array.from({ length: 10 }, (_, n) => 20 + n),
        )
        await new Promise((r) => setTimeout(r, 5))
        expect(await store.outbox.pendingCount(tenantId)).toBe(20)
      } finally {
        broker.thaw()
      }
      await waitFor(
        'the outbox drained',
        async () => (await store.outbox.pendingCount(tenantId)) === 0,
        120_000,
      )
    } finally {
      await relay.stop()
    }
    const { records } = await consumeEvents({
      brokers: broker.brokers,
      topics: [topic],
      filter: (e) => e.headers[eventHeaders.tenantId] === tenantId,
      distinct: 30,
      settleMs: 1000,
    })
    const firstSeen: number[] = []
    for (const record of records) {
      const n = (record.value as { seq: number }).seq
      if (!firstSeen.includes(n)) firstSeen.push(n)
    }
    // One key, one partition: the task's events arrive in the order they were committed.
    expect(firstSeen).toEqual(Array.from({ length: 30 }, (_, n) => n))
    await store.close()
  })
})
