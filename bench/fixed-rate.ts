/**
 * An open-loop load at a fixed arrival rate: request i is due at
 * `start + i / rate`, whatever happened to the ones before it, and its latency
 * counts from when it was due (so a stall is charged to every request it
 * delayed — no coordinated omission).
 *
 * autocannon's `overallRate` is not this: each connection sends back to back
 * until it has made its share of the second, then pauses until the next second,
 * so "500 req/s over 50 connections" is a burst of 500 requests at full
 * concurrency at the top of every second; and it back-fills latencies above
 * 1 ms as if requests had been due every millisecond. Both make the figure
 * mostly a measure of the burst, not of a steady 500 req/s.
 */
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { Pool } from 'undici'

export interface FixedRateTarget {
  readonly url: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string
}

export interface FixedRateFigures {
  readonly sent: number
  readonly p50Ms: number
  readonly p90Ms: number
  readonly p99Ms: number
  /** Requests that failed or answered other than 2xx. */
  readonly errors: number
}

/** Sends `rate` requests per second for `seconds` over at most `connections` keep-alive connections. */
export async function fixedRate(
  target: FixedRateTarget,
  options: { readonly rate: number; readonly seconds: number; readonly connections: number },
): Promise<FixedRateFigures> {
  const pool = new Pool(target.url, { connections: options.connections, pipelining: 1 })
  const total = Math.round(options.rate * options.seconds)
  const intervalMs = 1000 / options.rate
  const latencies: number[] = []
  let errors = 0
  const inFlight: Promise<void>[] = []
  const send = async (dueAt: number): Promise<void> => {
    try {
      const response = await pool.request({
        method: 'POST',
        path: target.path,
        headers: { 'content-type': 'application/json', ...target.headers },
        body: target.body,
      })
      await response.body.dump()
      if (response.statusCode >= 300) errors++
      else latencies.push(performance.now() - dueAt)
    } catch {
      errors++
    }
  }
  const start = performance.now()
  for (let next = 0; next < total;) {
    const now = performance.now()
    // Everything due by now goes out at once; a late timer is charged to the requests.
    while (next < total && start + next * intervalMs <= now) {
      inFlight.push(send(start + next * intervalMs))
      next++
    }
    if (next < total) await sleep(Math.max(0, start + next * intervalMs - performance.now()))
  }
  await Promise.all(inFlight)
  await pool.close()
  latencies.sort((a, b) => a - b)
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0
  return { sent: total, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), errors }
}
