/**
 * Outbox → Kafka: how many events per second the outbox relay publishes and
 * how long an event takes from its commit to a consumer of its topic, next to
 * the floor of the same events produced straight to Kafka.
 *
 *   npm run bench:outbox     (BENCH_DURATION_S=10 per mode, BENCH_RATES=2000,10000;
 *                             reuses AION_TEST_KAFKA_BROKERS or starts a broker
 *                             with scripts/dev-kafka.sh; writes BENCHMARKS.md)
 *
 * The relay modes: a fresh SQLite store with the store's migrations, opened as
 * the server opens it (WAL, background checkpointer), and the relay as the
 * server starts it (batches of 500, 100 ms idle poll, the idempotent acks=all
 * producer of `KafkaEventPublisher`). Events commit through the platform's
 * group commit (the units of one event-loop turn share a transaction), one
 * event per unit, round-robin over the four topics, keyed by a task id that
 * changes every four events; each event's commit time is when its unit's
 * transaction committed. Open loop at each rate of BENCH_RATES (events due at
 * a steady pace whatever the relay does), then full speed (units committed
 * 256 at a time, as fast as the store takes them, the relay competing for the
 * same event loop), then a backlog (BENCH_BACKLOG_EVENTS=50000 committed while
 * the relay is stopped, as after a broker outage, then drained: the relay's
 * own rate).
 *
 * The floor, the same invocation: the same events, as the same
 * `KafkaEventPublisher` (same producer settings, same records and headers)
 * sends them, from an in-memory queue in batches of at most 500 with one
 * batch in flight, as the relay does — no store, no claim, no mark, no poll:
 * a sender woken as soon as an event is queued. What the relay adds over it
 * is its own cost.
 *
 * A real consumer (a fresh group, its own topics per mode) reads every event;
 * the lag is from the commit (the floor: the enqueue) to the consumer receiving
 * it, and to the producer's acknowledgement. The backlog (committed, not yet
 * acknowledged) is sampled every 250 ms. One process runs the generator, the
 * relay and the consumer, so the CPU figure (process CPU time per event) is
 * all of them together, for both sides alike.
 */
import { Admin, Consumer, stringDeserializers } from '@platformatic/kafka'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { pino } from 'pino'
import { probeKafka } from '../test/support/kafka-broker.js'
import { updateBenchmarks, withSection } from './benchmarks-doc.js'
import { groupCommit } from '../src/storage/group-commit.js'
import { openStore } from '../src/storage/open-store.js'
import type { Store } from '../src/storage/ports/store.js'
import type { OutboxEvent } from '../src/storage/ports/outbox.js'
import type { EventPublisher, PublishOptions } from '../src/storage/kafka/event-publisher.js'
import { KafkaEventPublisher } from '../src/storage/kafka/kafka-publisher.js'
import { OutboxRelay } from '../src/storage/kafka/outbox-relay.js'

const durationMs = Number(process.env.BENCH_DURATION_S ?? 10) * 1000
const rates = (process.env.BENCH_RATES ?? '2000,10000').split(',').map(Number)
/** How long a mode may take to drain after its generator stops. */
const drainTimeoutMs = Number(process.env.BENCH_DRAIN_TIMEOUT_S ?? 60) * 1000
const writeDoc = process.env.BENCH_WRITE !== '0'
const BATCH = 500
const FULL_SPEED_UNITS = 256
/** Events of the backlog mode: committed while nothing publishes, then drained. */
const backlogEvents = Number(process.env.BENCH_BACKLOG_EVENTS ?? 50_000)

/** Events/s open loop, full speed, or a committed backlog drained. */
type Load = number | 'full' | 'backlog'

function loadName(load: Load): string {
  if (load === 'full') return 'full speed'
  if (load === 'backlog') return `backlog of ${fmt(backlogEvents)}`
  return `${fmt(load)}/s open loop`
}
const SAMPLE_MS = 250
const baseTopics = [
  'aion.router.decisions',
  'aion.tasks.lifecycle',
  'aion.runtime.metrics',
  'aion.audit.activity',
]
const runId = randomBytes(3).toString('hex')
const logger = pino({ level: 'warn' })

/** One mode's timings, indexed by the event's sequence number. */
class Timings {
  readonly committedAt: number[] = []
  readonly ackedAt: number[] = []
  readonly consumedAt: number[] = []
  committed = 0
  acked = 0
  consumed = 0
  duplicates = 0
  readonly backlog: number[] = []

  commit(seq: number): void {
    if (seq < 0) return
    this.committedAt[seq] = performance.now()
    this.committed++
  }

  ack(seq: number): void {
    if (seq < 0 || this.ackedAt[seq] !== undefined) return
    this.ackedAt[seq] = performance.now()
    this.acked++
  }

  consume(seq: number): void {
    if (seq < 0) return
    if (this.consumedAt[seq] !== undefined) {
      this.duplicates++
      return
    }
    this.consumedAt[seq] = performance.now()
    this.consumed++
  }
}

interface ModeResult {
  readonly side: 'floor' | 'relay'
  readonly load: string
  readonly seconds: number
  readonly committed: number
  readonly committedPerSec: number
  readonly publishedPerSec: number
  readonly consumedPerSec: number
  readonly ack: Lags
  readonly consume: Lags
  readonly consumed: number
  readonly duplicates: number
  readonly maxBacklog: number
  /** Backlog each second (the largest sample of that second). */
  readonly backlogBySecond: number[]
  readonly drainMs: number
  readonly cpuUsPerEvent: number
}

interface Lags {
  readonly p50: number
  readonly p99: number
  readonly max: number
}

const noLags: Lags = { p50: Number.NaN, p99: Number.NaN, max: Number.NaN }

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** The largest time of a sparse array (too long to spread into Math.max). */
function latest(times: readonly number[]): number {
  let max = Number.NaN
  for (const t of times) if (t !== undefined && !(t <= max)) max = t
  return max
}

function lags(from: readonly number[], to: readonly number[]): Lags {
  const values: number[] = []
  for (let i = 0; i < from.length; i++) {
    const a = from[i]
    const b = to[i]
    if (a !== undefined && b !== undefined) values.push(b - a)
  }
  values.sort((x, y) => x - y)
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: values.at(-1) ?? NaN }
}

/** A lifecycle event of about the platform's size (≈ 200 bytes of JSON). */
function payloadOf(seq: number) {
  return {
    seq,
    task_id: `tsk_${runId}_${Math.floor(Math.max(seq, 0) / 4)}`,
    status: 'succeeded',
    intent: 'answer',
    route: 'api',
    engine: 'openai:gpt-4.1-mini',
    error_code: null,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    at: new Date().toISOString(),
  }
}

function topicsOf(mode: string): string[] {
  return baseTopics.map((topic) => `bench.${runId}.${mode}.${topic}`)
}

function newPublisher(brokers: readonly string[], topics: readonly string[]) {
  return new KafkaEventPublisher({ brokers, topics, topicPartitions: 3 })
}

/** Records when the broker acknowledged each event (by its payload's `seq`). */
class AckRecorder implements EventPublisher {
  constructor(
    private readonly inner: EventPublisher,
    private readonly timings: () => Timings,
  ) {}
  prepare(): Promise<void> {
    return this.inner.prepare()
  }
  async publish(events: readonly OutboxEvent[], options?: PublishOptions): Promise<void> {
    await this.inner.publish(events, options)
    const timings = this.timings()
    for (const event of events) timings.ack((event.payload as { seq: number }).seq)
  }
  close(): Promise<void> {
    return this.inner.close()
  }
}

/** A consumer of the mode's topics from the earliest offset; records when each `seq` arrives. */
async function startConsumer(brokers: readonly string[], topics: string[], timings: Timings) {
  const consumer = new Consumer({
    groupId: `aion-bench-${runId}-${topics[0]}`,
    clientId: 'aion-bench-consumer',
    bootstrapBrokers: [...brokers],
    deserializers: stringDeserializers,
    maxWaitTime: 100,
  })
  const stream = await consumer.consume({ topics, mode: 'earliest', autocommit: false })
  const warm = new Set<string>()
  const reading = (async () => {
    for await (const message of stream) {
      const seq = (JSON.parse(message.value ?? '{}') as { seq: number }).seq
      if (seq < 0) warm.add(message.topic)
      else timings.consume(seq)
    }
  })().catch(() => undefined)
  return {
    /** Whether a warm-up event of every topic was read. */
    warmed: () => warm.size === topics.length,
    async stop() {
      await stream.close().catch(() => undefined)
      await reading
      await consumer.close().catch(() => undefined)
    },
  }
}

async function waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) {
      process.stderr.write(`bench:outbox: gave up waiting until ${what}\n`)
      return false
    }
    await sleep(5)
  }
  return true
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** What a side does with one event, and how it runs at full speed. */
interface Side {
  /** Commits (or enqueues) event `seq`; the timings record it when done. */
  emit(seq: number, topic: string): void
  /** Commits events as fast as it can until `until` (performance.now()); returns the next seq. */
  fullSpeed(firstSeq: number, until: number): Promise<number>
  /** Stops publishing (the batch in flight finishes) and closes the producer. */
  pause(): Promise<void>
  /** Publishes again, with a new producer. */
  resume(): void
  stop(): Promise<void>
}

async function relaySide(brokers: readonly string[], topics: string[], timings: Timings) {
  const dataDir = mkdtempSync(join(tmpdir(), 'aion-bench-outbox-'))
  const store: Store = await openStore({ dataDir, backgroundCheckpoint: true })
  await store.migrate()
  const publisher = new AckRecorder(newPublisher(brokers, topics), () => timings)
  // The topics exist before the consumer subscribes (the relay's own prepare then finds them).
  await publisher.prepare()
  const relay = new OutboxRelay({ outbox: store.outbox, publisher, logger })
  relay.start()
  const group = groupCommit(store)
  const commit = (seq: number, topic: string) =>
    group
      .run(async (_tx, rows) => {
        rows.event({ topic, key: payloadOf(seq).task_id, payload: payloadOf(seq) })
      })
      .then(() => timings.commit(seq))
  const side: Side = {
    emit(seq, topic) {
      void commit(seq, topic)
    },
    async fullSpeed(firstSeq, until) {
      let seq = firstSeq
      while (performance.now() < until) {
        const units = []
        for (let i = 0; i < FULL_SPEED_UNITS; i++, seq++) units.push(commit(seq, topics[seq % 4]!))
        await Promise.all(units)
      }
      return seq
    },
    pause: () => relay.stop(),
    resume() {
      relay.start()
    },
    async stop() {
      await relay.stop()
      await store.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
  return side
}

async function floorSide(brokers: readonly string[], topics: string[], timings: Timings) {
  const publisher = newPublisher(brokers, topics)
  await publisher.prepare()
  const queue: OutboxEvent[] = []
  let wake: (() => void) | undefined
  let stopping = false
  let fullUntil = 0
  let nextSeq = 0
  let paused = false
  let idle = false
  const toEvent = (seq: number, topic: string): OutboxEvent => {
    const payload = payloadOf(seq)
    return {
      id: seq + 1_000_000,
      tenantId: 'default',
      topic,
      key: payload.task_id,
      payload,
      createdAt: payload.at,
      publishedAt: null,
    }
  }
  const sending = (async () => {
    while (!stopping || queue.length > 0) {
      if (performance.now() < fullUntil) {
        // Full speed: a batch made now, each event counted as committed when made.
        for (let i = 0; i < BATCH; i++, nextSeq++) {
          timings.commit(nextSeq)
          queue.push(toEvent(nextSeq, topics[nextSeq % 4]!))
        }
      }
      if (queue.length === 0 || (paused && !stopping)) {
        idle = true
        await new Promise<void>((resolve) => (wake = resolve))
        wake = undefined
        idle = false
        continue
      }
      const batch = queue.splice(0, BATCH)
      try {
        await publisher.publish(batch)
        for (const event of batch) timings.ack((event.payload as { seq: number }).seq)
      } catch (error) {
        queue.unshift(...batch)
        process.stderr.write(`bench:outbox: floor publish failed: ${String(error)}\n`)
        if (stopping) break
        await sleep(250)
      }
    }
  })()
  const side: Side = {
    emit(seq, topic) {
      queue.push(toEvent(seq, topic))
      if (seq >= 0) timings.commit(seq)
      wake?.()
    },
    async fullSpeed(firstSeq, until) {
      nextSeq = firstSeq
      fullUntil = until
      wake?.()
      while (performance.now() < until) await sleep(20)
      return nextSeq
    },
    async pause() {
      paused = true
      while (!idle) await sleep(1)
      await publisher.close()
    },
    resume() {
      paused = false
      wake?.()
    },
    async stop() {
      stopping = true
      wake?.()
      await sending
      await publisher.close()
    },
  }
  return side
}

/** One mode: a side, a rate (or full speed), its own topics and consumer. */
async function runMode(
  brokers: readonly string[],
  sideName: 'floor' | 'relay',
  rate: Load,
): Promise<ModeResult> {
  const mode = `${sideName}-${rate}`
  const topics = topicsOf(mode)
  const timings = new Timings()
  const side =
    sideName === 'relay'
      ? await relaySide(brokers, topics, timings)
      : await floorSide(brokers, topics, timings)
  const consumer = await startConsumer(brokers, topics, timings)
  try {
    // Warm-up: one event per topic through the whole path (the relay creates
    // its topics on start; the consumer joins its group), none of it counted.
    const warmed = () => consumer.warmed()
    const warmDeadline = Date.now() + 120_000
    while (!warmed() && Date.now() < warmDeadline) {
      for (const topic of topics) side.emit(-1, topic)
      await waitUntil(`${mode}: warm-up read`, warmed, 5000)
    }
    if (rate === 'backlog') {
      // A backlog committed while nothing publishes (as after a broker outage).
      await side.pause()
      for (let seq = 0; seq < backlogEvents; seq++) side.emit(seq, topics[seq % 4]!)
      await waitUntil(
        `${mode}: the backlog committed`,
        () => timings.committed >= backlogEvents,
        drainTimeoutMs,
      )
    }
    let generatorEnd = 0
    const cpuBefore = process.cpuUsage()
    const start = performance.now()
    const end = start + durationMs
    const sample = () => timings.backlog.push(timings.committed - timings.acked)
    sample()
    const sampler = setInterval(sample, SAMPLE_MS)
    let seq = 0
    if (rate === 'backlog') {
      // Nothing more is committed: the backlog alone is published.
      seq = backlogEvents
      generatorEnd = start
      side.resume()
    } else if (rate === 'full') {
      seq = await side.fullSpeed(0, end)
      generatorEnd = performance.now()
    } else {
      // Open loop: every event due by now is emitted, however far the relay lags.
      for (let now = performance.now(); now < end; now = performance.now()) {
        const due = Math.floor(((now - start) * rate) / 1000)
        for (; seq < due; seq++) side.emit(seq, topics[seq % 4]!)
        await sleep(1)
      }
      generatorEnd = performance.now()
    }
    const generated = seq
    await waitUntil(
      `${mode}: every event committed`,
      () => timings.committed >= generated,
      drainTimeoutMs,
    )
    await waitUntil(
      `${mode}: every event acknowledged`,
      () => timings.acked >= generated,
      drainTimeoutMs,
    )
    await waitUntil(
      `${mode}: every event consumed`,
      () => timings.consumed >= generated,
      drainTimeoutMs,
    )
    clearInterval(sampler)
    const cpu = process.cpuUsage(cpuBefore)
    const lastAck = latest(timings.ackedAt)
    const lastConsumed = latest(timings.consumedAt)
    const lastCommit = latest(timings.committedAt)
    const backlog = rate === 'backlog'
    const perSecond = 1000 / SAMPLE_MS
    const backlogBySecond: number[] = []
    for (let i = 0; i < timings.backlog.length; i += perSecond) {
      backlogBySecond.push(Math.max(...timings.backlog.slice(i, i + perSecond)))
    }
    return {
      side: sideName,
      load: loadName(rate),
      seconds: (generatorEnd - start) / 1000,
      committed: timings.committed,
      committedPerSec: backlog ? Number.NaN : (timings.committed / (lastCommit - start)) * 1000,
      publishedPerSec: (timings.acked / (lastAck - start)) * 1000,
      consumedPerSec: (timings.consumed / (lastConsumed - start)) * 1000,
      ack: backlog ? noLags : lags(timings.committedAt, timings.ackedAt),
      consume: backlog ? noLags : lags(timings.committedAt, timings.consumedAt),
      consumed: timings.consumed,
      duplicates: timings.duplicates,
      maxBacklog: Math.max(0, ...timings.backlog),
      backlogBySecond,
      drainMs: Math.max(0, lastAck - generatorEnd),
      cpuUsPerEvent: (cpu.user + cpu.system) / Math.max(1, timings.committed),
    }
  } finally {
    await side.stop()
    await consumer.stop()
  }
}

function fmt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–'
}

function ms(n: number): string {
  return Number.isFinite(n) ? (n < 10 ? n.toFixed(1) : fmt(n)) : '–'
}

function table(results: readonly ModeResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.load} | ${r.side === 'relay' ? 'outbox relay (SQLite)' : 'bare producer floor'} | ${fmt(r.committed)} | ${fmt(r.committedPerSec)} | ${fmt(r.publishedPerSec)} | ${fmt(r.consumedPerSec)} | ${ms(r.ack.p50)} / ${ms(r.ack.p99)} | ${ms(r.consume.p50)} / ${ms(r.consume.p99)} / ${ms(r.consume.max)} | ${fmt(r.maxBacklog)} | ${ms(r.drainMs)} | ${r.duplicates} | ${r.cpuUsPerEvent.toFixed(0)} |`,
  )
  return [
    '| load | path | events | committed/s | published/s (acked) | consumed/s | commit → ack p50 / p99, ms | commit → consumer p50 / p99 / max, ms | max backlog | drain after the load, ms | duplicates read | CPU µs/event |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n')
}

function backlogLines(results: readonly ModeResult[]): string {
  return results
    .map(
      (r) =>
        `- ${r.load}, ${r.side === 'relay' ? 'relay' : 'floor'}: ${r.backlogBySecond.map(fmt).join(', ')}`,
    )
    .join('\n')
}

function writeResults(results: readonly ModeResult[], brokerNote: string): string {
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ')
  const relayAt = (load: string) => results.find((r) => r.side === 'relay' && r.load === load)
  const floorAt = (load: string) => results.find((r) => r.side === 'floor' && r.load === load)
  const versus = (load: string, what: string) => {
    const relay = relayAt(load)
    const floor = floorAt(load)
    if (!relay || !floor) return ''
    return `${what} the relay published ${fmt(relay.publishedPerSec)} events/s, ${((relay.publishedPerSec / floor.publishedPerSec) * 100).toFixed(0)} % of the bare producer's ${fmt(floor.publishedPerSec)} (CPU ${relay.cpuUsPerEvent.toFixed(0)} against ${floor.cpuUsPerEvent.toFixed(0)} µs/event).`
  }
  const fullLine = [
    versus('full speed', 'At full speed'),
    versus(loadName('backlog'), `Draining a backlog of ${fmt(backlogEvents)} events`),
  ]
    .filter(Boolean)
    .join(' ')
  const section = `<!-- outbox-kafka:start -->
## Outbox → Kafka (issue 14)

Command: \`npm run bench:outbox\` (bench/outbox-kafka.ts; BENCH_DURATION_S=${durationMs / 1000} per mode, BENCH_RATES=${rates.join(',')}).
Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'} (a shared VM), Node ${process.versions.node}, ${when} UTC; ${brokerNote}; the generator, the relay and the consumer in one Node process. The machine was shared with other jobs (tests and builds of other work) during this run, so the figures are noisy; take them as a first measurement, not a limit.

The relay as the server runs it (SQLite store with its migrations, WAL and the background checkpointer, batches of 500, 100 ms idle poll, idempotent producer with acks=all, topics of 3 partitions), events committed through the platform's group commit, one event per unit; the floor sends the same records with the same \`KafkaEventPublisher\` from memory, batches of ≤ 500, one in flight, woken at once (no store, claim, mark or poll). Lags count from the commit (the floor: the enqueue) to the producer's acknowledgement and to a real consumer (a fresh group, \`maxWaitTime\` 100 ms) receiving the record. Published/s and consumed/s: the events over the time from the load's start to the last acknowledgement (receipt), the drain after the load included. At a steady rate the relay works in rounds (claim → publish → mark): an event committed while a batch is in flight waits for the next claim, and one committed into an empty outbox for the relay's next poll (≤ 100 ms); the floor's sender is woken at once. Backlog: committed and not yet acknowledged, sampled every ${SAMPLE_MS} ms. CPU: the whole process (generator, store, relay, consumer) per event. Full speed: units committed 256 at a time as fast as the store takes them while the relay runs (the floor: batches made as fast as the producer takes them; its backlog is one batch by construction). Backlog: ${fmt(backlogEvents)} events committed while the relay is stopped (as after a broker outage), then the relay started (its start, a topic listing and a new producer, counted) and timed until all were acknowledged and consumed — the relay's own rate, without the commits competing; no lag figures (the events waited on purpose).

${table(results)}

${fullLine}

Backlog, the largest sample of each second:
${backlogLines(results)}
<!-- outbox-kafka:end -->`
  if (writeDoc) {
    updateBenchmarks((doc) => withSection(doc, 'outbox-kafka', section))
  }
  return section
}

async function main(): Promise<void> {
  const probe = await probeKafka()
  if (!probe.ok) throw new Error(`no Kafka broker: ${probe.reason}`)
  const broker = probe.value
  const reused = process.env.AION_TEST_KAFKA_BROKERS !== undefined
  const brokerNote = reused
    ? 'the broker AION_TEST_KAFKA_BROKERS names'
    : 'a single-node KRaft broker (scripts/dev-kafka.sh, 256 MB heap) on the same machine'
  const results: ModeResult[] = []
  const created: string[] = []
  try {
    const loads: Load[] = [...rates, 'full', 'backlog']
    for (const load of loads) {
      for (const side of ['floor', 'relay'] as const) {
        created.push(...topicsOf(`${side}-${load}`))
        const result = await runMode(broker.brokers, side, load)
        results.push(result)
        process.stderr.write(
          `bench:outbox: ${result.load} ${side}: ${fmt(result.publishedPerSec)} events/s, commit → consumer p50 ${ms(result.consume.p50)} ms p99 ${ms(result.consume.p99)} ms\n`,
        )
      }
    }
  } finally {
    if (reused) {
      const admin = new Admin({ clientId: 'aion-bench-admin', bootstrapBrokers: broker.brokers })
      await admin.deleteTopics({ topics: created }).catch(() => undefined)
      await admin.close().catch(() => undefined)
    }
    await broker.dispose()
  }
  process.stdout.write(`${writeResults(results, brokerNote)}\n`)
}

await main()
