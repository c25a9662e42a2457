/**
 * A circuit breaker per provider: `failures` consecutive failures open the
 * circuit for `cooldownMs`; then one trial call is let through (half-open):
 * success closes the circuit, failure opens it again.
 */

/** Options of {@link CircuitBreakers}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open a circuit. */
  readonly failures: number
  readonly cooldownMs: number
  /** @default Date.now */
  readonly now?: () => number
}

interface Circuit {
  consecutiveFailures: number
  openUntil: number
  trialInFlight: boolean
}

/** Circuit state of every provider. */
export class CircuitBreakers {
  readonly #circuits = new Map<string, Circuit>()
  readonly #failures: number
  readonly #cooldownMs: number
  readonly #now: () => number

  constructor(options: CircuitBreakerOptions) {
    this.#failures = options.failures
    this.#cooldownMs = options.cooldownMs
    this.#now = options.now ?? Date.now
  }

  /** True while calls to the provider fail fast (open, or half-open with its trial running). */
  isOpen(provider: string): boolean {
    const circuit = this.#circuits.get(provider)
    if (!circuit || circuit.openUntil === 0) return false
    return this.#now() < circuit.openUntil || circuit.trialInFlight
  }

  /** Milliseconds until the provider's circuit lets a trial through (0 when closed). */
  retryAfterMs(provider: string): number {
    const circuit = this.#circuits.get(provider)
    return circuit ? Math.max(0, circuit.openUntil - this.#now()) : 0
  }

  /**
   * Asks to call the provider: true when closed, or when this call becomes the
   * half-open trial. Every granted call must report `success` or `failure`.
   */
  tryAcquire(provider: string): boolean {
    const circuit = this.#circuits.get(provider)
    if (!circuit || circuit.openUntil === 0) return true
    if (this.#now() < circuit.openUntil || circuit.trialInFlight) return false
    circuit.trialInFlight = true
    return true
  }

  success(provider: string): void {
    const circuit = this.#circuits.get(provider)
    if (circuit) this.#circuits.delete(provider)
  }

  failure(provider: string): void {
    const circuit = this.#circuit(provider)
    circuit.consecutiveFailures++
    if (circuit.trialInFlight || circuit.consecutiveFailures >= this.#failures) {
      circuit.openUntil = this.#now() + this.#cooldownMs
    }
    circuit.trialInFlight = false
  }

  /** A granted call that ended without telling anything about the provider (cancelled). */
  abandon(provider: string): void {
    const circuit = this.#circuits.get(provider)
    if (circuit) circuit.trialInFlight = false
  }

  #circuit(provider: string): Circuit {
    let circuit = this.#circuits.get(provider)
    if (!circuit) {
      circuit = { consecutiveFailures: 0, openUntil: 0, trialInFlight: false }
      this.#circuits.set(provider, circuit)
    }
    return circuit
  }
}
