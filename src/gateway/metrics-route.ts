/**
 * `GET /metrics` (scope `operator`): the platform's runtime gauges in the
 * Prometheus text format, made with prom-client. Today: the accelerators module
 * calls are placed on — utilisation, memory, and which module holds each —
 * read afresh at every scrape, and the counts the composition keeps (rate
 * limits decided while Redis was unreachable; with the outbox relay on, the
 * outbox backlog and the events published to Kafka). Task and provider metrics travel as events on
 * `aion.runtime.metrics` (see `/v1/events`).
 */
import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Registry } from 'prom-client'
import type { ControlPlane, DeviceReading } from '../control/control-plane.js'

const deviceLabels = ['vendor', 'index', 'name'] as const

function labelsOf(device: DeviceReading) {
  return { vendor: device.vendor, index: String(device.index), name: device.name }
}

/** A count the composition keeps (e.g. rate-limit decisions made without Redis), read at each scrape. */
export interface CounterReading {
  /** Prometheus name, ending in `_total`. */
  readonly name: string
  readonly help: string
  readonly labels?: Readonly<Record<string, string>>
  /** The count now; it only grows. */
  value(): number
}

/**
 * A metric with several series (a counter by topic, a gauge read from the
 * store), read at each scrape: `read` answers every series' labels and value.
 */
export interface SeriesReading {
  readonly kind: 'counter' | 'gauge'
  /** Prometheus name; a counter's ends in `_total`. */
  readonly name: string
  readonly help: string
  readonly labelNames: readonly string[]
  read():
    | Promise<readonly { labels: Record<string, string>; value: number }[]>
    | readonly { labels: Record<string, string>; value: number }[]
}

/** What the composition adds to `/metrics`. */
export type MetricReading = CounterReading | SeriesReading

/** The platform's metrics, read afresh at each `metrics()` call. */
export interface PlatformMetrics {
  readonly contentType: string
  /** The Prometheus text exposition of every gauge. */
  metrics(): Promise<string>
}

/** Gauges over what `readDevices` answers at each scrape, and the composition's `counters`. */
export function platformMetrics(
  readDevices: () => Promise<readonly DeviceReading[]>,
  counters: readonly MetricReading[] = [],
): PlatformMetrics {
  // Each gauge registers itself with `registry` (its `registers` option).
  const registry = new Registry()
  // prom-client collects the gauges concurrently: the devices are read once before.
  let readings: readonly DeviceReading[] = []
  new Gauge({
    name: 'aion_gpu_utilization_ratio',
    help: 'GPU utilisation (0–1) as the vendor tool reports it',
    labelNames: deviceLabels,
    registers: [registry],
    collect() {
      this.reset()
      for (const d of readings) {
        if (d.utilizationPercent !== undefined) this.set(labelsOf(d), d.utilizationPercent / 100)
      }
    },
  })
  new Gauge({
    name: 'aion_gpu_memory_used_bytes',
    help: 'GPU memory in use',
    labelNames: deviceLabels,
    registers: [registry],
    collect() {
      this.reset()
      for (const d of readings) {
        if (d.memoryUsedBytes !== undefined) this.set(labelsOf(d), d.memoryUsedBytes)
      }
    },
  })
  new Gauge({
    name: 'aion_gpu_memory_total_bytes',
    help: 'GPU memory in all',
    labelNames: deviceLabels,
    registers: [registry],
    collect() {
      this.reset()
      for (const d of readings) {
        if (d.memoryTotalBytes !== undefined) this.set(labelsOf(d), d.memoryTotalBytes)
      }
    },
  })
  new Gauge({
    name: 'aion_gpu_leased',
    help: '1 while a module call holds the GPU, labelled with the module',
    labelNames: [...deviceLabels, 'module'],
    registers: [registry],
    collect() {
      this.reset()
      for (const d of readings)
        this.set({ ...labelsOf(d), module: d.leasedBy ?? '' }, d.leasedBy ? 1 : 0)
    },
  })
  for (const reading of counters) {
    if ('read' in reading) {
      seriesMetric(reading, registry)
      continue
    }
    const labels = reading.labels ?? {}
    new Counter({
      name: reading.name,
      help: reading.help,
      labelNames: Object.keys(labels),
      registers: [registry],
      collect() {
        this.reset()
        this.inc(labels, reading.value())
      },
    })
  }
  return {
    contentType: registry.contentType,
    async metrics() {
      readings = await readDevices()
      return registry.metrics()
    },
  }
}

/** A counter or gauge over `reading`, its series replaced at each scrape. */
function seriesMetric(reading: SeriesReading, registry: Registry): void {
  const options = {
    name: reading.name,
    help: reading.help,
    labelNames: [...reading.labelNames],
    registers: [registry],
  }
  if (reading.kind === 'gauge') {
    new Gauge({
      ...options,
      async collect() {
        const series = await reading.read()
        this.reset()
        for (const { labels, value } of series) this.set(labels, value)
      },
    })
  } else {
    new Counter({
      ...options,
      async collect() {
        const series = await reading.read()
        this.reset()
        for (const { labels, value } of series) this.inc(labels, value)
      },
    })
  }
}

export function registerMetricsRoute(
  app: FastifyInstance,
  control: ControlPlane,
  counters: readonly MetricReading[] = [],
): void {
  const exposition = platformMetrics(() => control.devices(), counters)
  app.get('/metrics', async function metrics(_request, reply) {
    const text = await exposition.metrics()
    return reply.type(exposition.contentType).send(text)
  })
}
