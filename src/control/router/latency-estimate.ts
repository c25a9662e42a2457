/**
 * Latency the router expects from an engine when nothing was observed yet.
 * Rough priors: observed p95 (EngineState) replaces them as soon as it exists.
 */

/** Priors, in milliseconds. */
export const latencyPriors = {
  /** A warm WASM/subprocess module call. */
  moduleMs: 50,
  /** A local model: time to first token. */
  localModelBaseMs: 250,
  /** A local model: per generated token. */
  localModelPerOutputTokenMs: 20,
  /** A cloud model: network round trip and queueing. */
  cloudModelBaseMs: 400,
  /** A cloud model: per generated token. */
  cloudModelPerOutputTokenMs: 8,
} as const

/** The contract's ceiling on a latency estimate (one hour). */
const maxLatencyMs = 3_600_000

/** Expected latency of a model call from the priors. */
export function modelLatencyPriorMs(local: boolean, outputTokens: number): number {
  const p = latencyPriors
  return local
    ? p.localModelBaseMs + outputTokens * p.localModelPerOutputTokenMs
    : p.cloudModelBaseMs + outputTokens * p.cloudModelPerOutputTokenMs
}

/** A latency as the contract carries it: a whole number of ms within its bounds. */
export function boundedLatencyMs(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) return ms > 0 ? maxLatencyMs : 0
  return Math.min(Math.round(ms), maxLatencyMs)
}
