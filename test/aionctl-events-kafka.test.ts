/**
 * `aionctl events tail` with `AION_KAFKA_BROKERS` set, as an operator runs
 * it: the package bin in a child process reading a real Kafka broker. It
 * prints the store tail's JSON lines, each event once (a record the relay
 * published twice is deduped on its id), filtered by tenant, topic and task;
 * Ctrl-C closes the consumer and exits 0; a broker it cannot reach is one
 * line with AION_EVENTS_BROKER_UNAVAILABLE and exit code 1.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomInt, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import type { OutboxEvent } from '../src/storage/index.js'
import { KafkaEventPublisher, platformEventTopics } from '../src/storage/kafka/index.js'
import { describeWithEngine } from './support/engines.js'
import { probeKafka } from './support/kafka-broker.js'

// A broker on a busy machine: joining a group and the first fetches take seconds.
vi.setConfig({ testTimeout: 120_000 })
const kafka = await probeKafka()
const dataDir = mkdtempSync(join(tmpdir(), 'aionctl-events-'))
afterAll(async () => {
  if (kafka.ok) await kafka.value.dispose()
  rmSync(dataDir, { recursive: true, force: true })
})

/** A running `aionctl events tail` and what it printed so far. */
interface Tail {
  readonly child: ChildProcess
  stdout: string
  stderr: string
  readonly exited: Promise<number | null>
}

const tails: ChildProcess[] = []
afterEach(() => {
  for (const child of tails.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

function startTail(brokers: readonly string[], args: string[]): Tail {
  const child = spawn(process.execPath, ['bin/aionctl.js', 'events', 'tail', ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      AION_DATA_DIR: dataDir,
      AION_KAFKA_BROKERS: brokers.join(','),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  tails.push(child)
  const tail: Tail = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  }
  child.stdout?.on('data', (chunk: Buffer) => (tail.stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (tail.stderr += chunk.toString()))
  return tail
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function lines(tail: Tail): Record<string, unknown>[] {
  return tail.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

/** Ids no other test's rows use (the topics are shared with every suite on the broker). */
let nextId = randomInt(1_000_000_000, 2_000_000_000)

function event(tenantId: string, topic: string, key: string | null): OutboxEvent {
  return {
    id: nextId++,
    tenantId,
    topic,
    key,
    payload: { task_id: key, text: 'ünïcode ✓' },
    createdAt: new Date().toISOString(),
    publishedAt: null,
  }
}

/** The line the store-backed tail prints for `e` (GET /v1/events' shape). */
function line(e: OutboxEvent) {
  return {
    id: e.id,
    tenantId: e.tenantId,
    topic: e.topic,
    key: e.key,
    payload: e.payload,
    createdAt: e.createdAt,
  }
}

describeWithEngine('Kafka', kafka, ({ brokers }) => {
  const publisher = new KafkaEventPublisher({
    brokers,
    topics: platformEventTopics,
    topicPartitions: 3,
  })
  afterAll(() => publisher.close())

  it('prints events published after it started, once each, filtered by tenant; Ctrl-C exits 0', async () => {
    await publisher.prepare()
    const tenant = `t-${randomUUID()}`
    const before = event(tenant, 'aion.tasks.lifecycle', 'task-before')
    await publisher.publish([before])
    const tail = startTail(brokers, ['--tenant', tenant])
    await waitFor('the tail is reading', () => tail.stderr.includes('Ctrl-C stops'))
    expect(tail.stderr).toMatch(/from the end/)
    const mine = platformEventTopics.map((topic) => event(tenant, topic, 'task-1'))
    const other = event(`t-${randomUUID()}`, 'aion.tasks.lifecycle', 'task-1')
    // The relay's retried batch: records it had already published come again.
    await publisher.publish([...mine, other])
    await publisher.publish([mine[0]!, mine[1]!])
    await waitFor('four lines', () => lines(tail).length >= 4)
    // Late duplicates would show by now.
    await new Promise((r) => setTimeout(r, 1500))
    expect(lines(tail).sort((a, b) => Number(a.id) - Number(b.id))).toEqual(mine.map(line))
    tail.child.kill('SIGINT')
    expect(await tail.exited).toBe(0)
    expect(tail.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('reads what the topics retain with --from-beginning, filtered by topic and task', async () => {
    await publisher.prepare()
    const tenant = `t-${randomUUID()}`
    const wanted = event(tenant, 'aion.audit.activity', 'task-a')
    await publisher.publish([
      event(tenant, 'aion.tasks.lifecycle', 'task-a'),
      event(tenant, 'aion.audit.activity', 'task-b'),
      wanted,
    ])
    const tail = startTail(brokers, [
      '--from-beginning',
      '--topic',
      'aion.audit.activity',
      '--task',
      'task-a',
      '--tenant',
      tenant,
    ])
    await waitFor('one line', () => lines(tail).length >= 1)
    expect(tail.stderr).toMatch(/reading aion\.audit\.activity from Kafka .* from the beginning/)
    await new Promise((r) => setTimeout(r, 1000))
    expect(lines(tail)).toEqual([line(wanted)])
    tail.child.kill('SIGTERM')
    expect(await tail.exited).toBe(0)
  })
})

describe('aionctl events tail, Kafka unreachable', () => {
  it('fails with one line and AION_EVENTS_BROKER_UNAVAILABLE', async () => {
    const port = await closedPort()
    const tail = startTail([`127.0.0.1:${port}`], [])
    expect(await tail.exited).toBe(1)
    expect(tail.stdout).toBe('')
    const errorLines = tail.stderr.trim().split('\n')
    expect(errorLines).toHaveLength(1)
    expect(errorLines[0]).toMatch(
      new RegExp(`^aionctl: AION_EVENTS_BROKER_UNAVAILABLE: Kafka \\(127\\.0\\.0\\.1:${port}\\)`),
    )
  })
})

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
