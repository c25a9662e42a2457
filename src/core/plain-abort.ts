/**
 * An abort controller for the per-request path (a task's, a provider call's):
 * the `AbortController` surface the orchestrator, the executors and the
 * provider clients use (`abort(reason)`; a signal with `aborted`, `reason`,
 * `throwIfAborted()`, `onabort` and the `abort` event), on a plain
 * `EventTarget`. undici takes the signal for a request as it takes an
 * `AbortSignal`.
 *
 * Not Node's `AbortController`: in Node 20 every `AbortSignal` survives the
 * young-generation collections (nodejs/node#55328), so each task's signal and
 * each provider call's were copied by scavenges and then promoted to the old
 * generation with what they referenced (BENCHMARKS.md has the figures). A
 * plain `EventTarget` dies young like any other object.
 *
 * The signal is not an `AbortSignal` instance: it goes only to the platform's
 * own code and to undici, which use the surface above; `AbortSignal.any()` and
 * `fetch` need a real one.
 */

/** The signal of a {@link PlainAbortController}; structurally an `AbortSignal`. */
export class PlainAbortSignal extends EventTarget {
  #aborted = false
  #reason: unknown = undefined
  #onabort: ((this: AbortSignal, event: Event) => unknown) | null = null
  /** `onabort` as one listener, in the place of its first assignment (made then: few tasks set it). */
  #handler: ((event: Event) => void) | undefined

  get onabort(): ((this: AbortSignal, event: Event) => unknown) | null {
    return this.#onabort
  }

  set onabort(handler: ((this: AbortSignal, event: Event) => unknown) | null) {
    this.#handler ??= (event) => this.#onabort?.call(this as unknown as AbortSignal, event)
    if (handler && !this.#onabort) this.addEventListener('abort', this.#handler)
    if (!handler && this.#onabort) this.removeEventListener('abort', this.#handler)
    this.#onabort = handler
  }

  get aborted(): boolean {
    return this.#aborted
  }

  get reason(): unknown {
    return this.#reason
  }

  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason
  }

  /** @internal Called by the controller. */
  fire(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    this.dispatchEvent(new Event('abort'))
  }
}

export class PlainAbortController {
  readonly signal = new PlainAbortSignal()

  /** Aborts with `reason` (an `AbortError` DOMException when none is given), once. */
  abort(reason?: unknown): void {
    this.signal.fire(reason ?? new DOMException('This operation was aborted', 'AbortError'))
  }
}
