/** Observed latency per engine: the p95 over the last few executions (a ring). */

/** Options of {@link LatencyTracker}. */
export interface LatencyTrackerOptions {
  /** Executions remembered per engine. @default 64 */
  readonly window?: number
}

interface Ring {
  readonly samples: number[]
  next: number
  p95: number | undefined
}

/** p95 latency of every engine, from recent executions. */
export class LatencyTracker {
  readonly #rings = new Map<string, Ring>()
  readonly #window: number

  constructor(options: LatencyTrackerOptions = {}) {
    this.#window = options.window ?? 64
  }

  record(engine: string, durationMs: number): void {
    let ring = this.#rings.get(engine)
    if (!ring) {
      ring = { samples: [], next: 0, p95: undefined }
      this.#rings.set(engine, ring)
    }
    if (ring.samples.length < this.#window) ring.samples.push(durationMs)
    else ring.samples[ring.next] = durationMs
    ring.next = (ring.next + 1) % this.#window
    // Computed on the next read: writes stay O(1) on the hot path.
    ring.p95 = undefined
  }

  /** The p95 of the engine's recent executions, or undefined before any. */
  p95(engine: string): number | undefined {
    const ring = this.#rings.get(engine)
    if (!ring || ring.samples.length === 0) return undefined
    if (ring.p95 === undefined) {
      const sorted = [...ring.samples].sort((a, b) => a - b)
      ring.p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!
    }
    return ring.p95
  }
}
