/**
 * The rules router's decision time: `decideRules` over random cases drawn
 * from the property test's arbitraries (registries, requests, engine states;
 * refusals included), each timed alone, next to the floor of timing an empty
 * call the same way.
 *
 *   npm run bench:router     (BENCH_CASES=2000, BENCH_ROUNDS=5, BENCH_SEED=12)
 *
 * A first pass over every case warms the JIT; then every round times every
 * case once. Prints p50, p99 and the maximum per call, how many calls took
 * longer than 1 ms and how many of those a garbage collection overlapped
 * (issue 13's targets: p99 ≤ 50 µs, none above 1 ms), and each case's own
 * cost: the fastest of its rounds, which no pause of the process inflates.
 * A second floor tells the machine's pauses from the router's: the clock read
 * back to back, allocating nothing, for as long as the router's calls took,
 * counting the gaps above 1 ms between two reads (the thread taken off its
 * core, or stopped by the process).
 */
import fc from 'fast-check'
import { availableParallelism } from 'node:os'
import { performance, PerformanceObserver } from 'node:perf_hooks'
import {
  engineState,
  routingCaseArb,
  type RoutingCase,
} from '../src/control/router/routing-arbitraries.fixture.js'
import type { RoutingInput } from '../src/control/router/router-port.js'
import { decideRules } from '../src/control/router/rules-router.js'

const caseCount = Number(process.env.BENCH_CASES ?? 2000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const seed = Number(process.env.BENCH_SEED ?? 12)

function inputOf({ set, features, state }: RoutingCase): RoutingInput {
  return { features, registries: set, registryVersion: 1, engines: engineState(state) }
}

const inputs = fc.sample(routingCaseArb, { numRuns: caseCount, seed }).map(inputOf)

function decide(input: RoutingInput): boolean {
  try {
    decideRules(input)
    return true
  } catch {
    return false
  }
}

function noop(_input: RoutingInput): boolean {
  return true
}

/** Garbage collections, as [start, end] in performance.now() milliseconds. */
const collections: [number, number][] = []
new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    collections.push([entry.startTime, entry.startTime + entry.duration])
}).observe({ entryTypes: ['gc'] })

interface Timing {
  /** Nanoseconds of every call, sorted. */
  readonly calls: number[]
  /** Each case's fastest call, sorted. */
  readonly fastest: number[]
  /** [start, end] (performance.now() ms) of the calls above 1 ms. */
  readonly slow: [number, number][]
}

/** Times each call of `fn` over every input, `rounds` times. */
function timeEach(fn: (input: RoutingInput) => boolean): Timing {
  const calls: number[] = []
  const fastest = inputs.map(() => Number.POSITIVE_INFINITY)
  const slow: [number, number][] = []
  for (let round = 0; round < rounds; round++) {
    for (const [k, input] of inputs.entries()) {
      const at = performance.now()
      const start = process.hrtime.bigint()
      fn(input)
      const ns = Number(process.hrtime.bigint() - start)
      calls.push(ns)
      fastest[k] = Math.min(fastest[k] ?? ns, ns)
      if (ns > 1_000_000) slow.push([at, at + ns / 1e6])
    }
  }
  return {
    calls: calls.sort((a, b) => a - b),
    fastest: fastest.sort((a, b) => a - b),
    slow,
  }
}

const at = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
const us = (ns: number) => (ns / 1000).toFixed(1)

let decided = 0
for (const input of inputs) if (decide(input)) decided++ // warm-up, and the tally
for (const input of inputs) noop(input)
const floor = timeEach(noop)
const routerStart = performance.now()
const router = timeEach(decide)
const routerMs = performance.now() - routerStart

/** Gaps above 1 ms between back-to-back clock reads over `ms` milliseconds: [start, end] each. */
function stalls(ms: number): [number, number][] {
  const gaps: [number, number][] = []
  const end = performance.now() + ms
  let last = performance.now()
  while (last < end) {
    const now = performance.now()
    if (now - last > 1) gaps.push([last, now])
    last = now
  }
  return gaps
}
const machinePauses = stalls(routerMs)
// Let the observer deliver the last collections' entries.
await new Promise((done) => setTimeout(done, 50))
const duringGc = router.slow.filter(([start, end]) =>
  collections.some(([gcStart, gcEnd]) => gcStart < end && gcEnd > start),
).length

console.log(
  `bench:router on ${availableParallelism()} CPU(s), node ${process.version}: ${inputs.length} cases ` +
    `(seed ${seed}; ${decided} decided, ${inputs.length - decided} refused), ${rounds} rounds`,
)
console.log('')
console.log('| what | calls | p50 µs | p99 µs | max µs | calls > 1 ms | of those, during a GC |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
const row = (label: string, times: readonly number[], over: string, gc: string) =>
  console.log(
    `| ${label} | ${times.length} | ${us(at(times, 0.5))} | ${us(at(times, 0.99))} | ${us(times.at(-1) ?? 0)} | ${over} | ${gc} |`,
  )
row('floor: timing an empty call', floor.calls, String(floor.slow.length), '')
const pausesInGc = machinePauses.filter(([start, end]) =>
  collections.some(([gcStart, gcEnd]) => gcStart < end && gcEnd > start),
).length
console.log(
  `| floor: the clock read back to back for ${routerMs.toFixed(0)} ms (as long as the calls below), gaps | – | – | – | ${us(Math.max(0, ...machinePauses.map(([a, b]) => (b - a) * 1e6)))} | ${machinePauses.length} | ${pausesInGc} |`,
)
row('decideRules, every call', router.calls, String(router.slow.length), String(duringGc))
row('decideRules, each case its fastest round', router.fastest, '', '')
console.log('')
console.log(
  `targets: p99 ≤ 50 µs ${at(router.calls, 0.99) <= 50_000 ? 'met' : 'NOT met'}; ` +
    `no call above 1 ms ${router.slow.length === 0 ? 'met' : `NOT met (${router.slow.length}, ${duringGc} during a GC)`}; ` +
    `no case above 1 ms ${(router.fastest.at(-1) ?? 0) <= 1_000_000 ? 'met' : 'NOT met'}; ` +
    `${collections.length} GCs in the run`,
)
