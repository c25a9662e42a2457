/**
 * The platform with `AION_KAFKA_BROKERS` set, run as a user runs it: a task's
 * events (lifecycle, decision, metrics, audit) reach Kafka keyed by its id,
 * exactly the events the outbox committed, `/metrics` counts them (and the
 * failed publishes and the backlog while the brokers are down), and SIGTERM
 * still drains cleanly with the relay running.
 */
import { createServer } from 'node:net'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { describeWithEngine } from '../support/engines.js'
import { probeKafka } from '../support/kafka-broker.js'
import { consumeEvents } from '../support/kafka-consumer.js'
import { cleanUpProcesses, startServer, tempDir } from '../support/server-process.js'

const topics = [
  'aion.router.decisions',
  'aion.tasks.lifecycle',
  'aion.runtime.metrics',
  'aion.audit.activity',
]
// A broker on a busy machine: creating topics and first fetches take seconds, not milliseconds.
vi.setConfig({ testTimeout: 180_000 })
const kafka = await probeKafka()

describeWithEngine('Kafka', kafka, (broker) => {
  afterAll(async () => {
    cleanUpProcesses()
    await broker.dispose()
  })

  it("publishes a task's committed events to the four topics, keyed by its id", async () => {
    const server = await startServer({
      AION_DATA_DIR: tempDir(),
      AION_KAFKA_BROKERS: broker.brokers.join(','),
      AION_SHUTDOWN_TIMEOUT_MS: '3000',
    })
    const headers = { authorization: `Bearer ${server.key ?? ''}` }
    const submitted = await fetch(`${server.url}/v1/tasks`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', prefer: 'wait=10' },
      body: JSON.stringify({
        intent: 'summarize',
        input: { text: 'Kafka carries the events. The outbox keeps them until then.' },
      }),
    })
    const task = (await submitted.json()) as { task_id: string; status: string }
    expect(task.status).toBe('succeeded')

    const page = (await (
      await fetch(`${server.url}/v1/events?limit=1000`, { headers })
    ).json()) as {
      events: { id: number; topic: string; key: string | null; payload: unknown }[]
    }
    const mine = page.events.filter((e) => JSON.stringify(e.payload).includes(task.task_id))
    expect(new Set(mine.map((e) => e.topic))).toEqual(new Set(topics))

    const { records } = await consumeEvents({
      brokers: broker.brokers,
      topics,
      filter: (e) =>
        e.headers['aion-tenant-id'] === 'default' && JSON.stringify(e.value).includes(task.task_id),
      distinct: mine.length,
    })
    const consumed = new Map(records.map((r) => [r.eventId, r]))
    for (const event of mine) {
      expect(consumed.get(event.id)).toMatchObject({
        topic: event.topic,
        value: event.payload,
        ...(event.key === null ? {} : { key: event.key }),
      })
    }
    const lifecycle = records.filter((r) => r.topic === 'aion.tasks.lifecycle')
    expect(lifecycle.every((r) => r.key === task.task_id)).toBe(true)
    expect(lifecycle.map((r) => (r.value as { status: string }).status)).toContain('succeeded')

    // Marked published just after the broker's acknowledgement: the counters follow shortly.
    const published = await waitForMetrics(server.url, headers, (text) => {
      const byTopic = topics.map((topic) =>
        sample(text, `aion_outbox_events_published_total{topic="${topic}"}`),
      )
      return (
        byTopic.every((n) => n !== undefined && n >= 1) &&
        sample(text, 'aion_outbox_backlog_events') === 0
      )
    })
    expect(sample(published, 'aion_outbox_publish_failures_total')).toBe(0)

    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })
})

describe('Kafka unreachable', () => {
  afterAll(() => cleanUpProcesses())

  it('starts, serves tasks and drains on SIGTERM while the brokers are down', async () => {
    // A port nothing listens on: the relay keeps failing, the platform does not care.
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address()
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 1))
      })
    })
    const server = await startServer({
      AION_DATA_DIR: tempDir(),
      AION_KAFKA_BROKERS: `127.0.0.1:${closed}`,
      AION_SHUTDOWN_TIMEOUT_MS: '3000',
    })
    const submitted = await fetch(`${server.url}/v1/tasks`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.key ?? ''}`,
        'content-type': 'application/json',
        prefer: 'wait=10',
      },
      body: JSON.stringify({ intent: 'summarize', input: { text: 'Still here. Kafka is not.' } }),
    })
    expect(((await submitted.json()) as { status: string }).status).toBe('succeeded')
    const text = await waitForMetrics(
      server.url,
      { authorization: `Bearer ${server.key ?? ''}` },
      (t) => (sample(t, 'aion_outbox_publish_failures_total') ?? 0) >= 1,
    )
    expect(sample(text, 'aion_outbox_backlog_events')).toBeGreaterThanOrEqual(4)
    expect(text).not.toMatch(/^aion_outbox_events_published_total\{/m)
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    expect(server.stdoutLog()).toContain('outbox relay could not publish')
  })
})

/** The value of the series `series` (name and labels as exposed) in a Prometheus text, if present. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

/** `/metrics` (operator key) once `ready` accepts it. */
async function waitForMetrics(
  url: string,
  headers: Record<string, string>,
  ready: (text: string) => boolean,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const response = await fetch(`${url}/metrics`, { headers })
    const text = await response.text()
    // The key's rate limit holds for scrapes too: a 429 says when to come back.
    if (response.status === 429) {
      await new Promise((r) =>
        setTimeout(r, 1000 * Number(response.headers.get('retry-after') ?? 1)),
      )
      continue
    }
    expect(response.status).toBe(200)
    if (ready(text)) return text
    if (Date.now() > deadline) throw new Error(`/metrics never showed what was awaited:\n${text}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}
