/**
 * One call's abort wiring: the caller's signal and the deadline both abort
 * the HTTP request through one handle, and the call remembers which fired so
 * the error can say so.
 */
import { PlainAbortController, type PlainAbortSignal } from '../core/plain-abort.js'

/** How the deadline counts. */
export type DeadlineMode =
  /** The whole call must end within `timeoutMs`. */
  | 'total'
  /**
   * The first byte, then every next chunk, must come within `timeoutMs`;
   * time spent waiting on the consumer does not count. Streams use it so a
   * long answer is not cut while a stalled one still is.
   */
  | 'idle'

/** Arms the deadline and links the caller's signal; call {@link CallDeadline.release} at the end. */
export class CallDeadline {
  // Not Node's AbortController: see core/plain-abort.ts.
  readonly #controller = new PlainAbortController()
  readonly #caller: AbortSignal
  readonly #timeoutMs: number
  readonly #mode: DeadlineMode
  #timer: NodeJS.Timeout
  #lastActivityMs = Date.now()
  #suspended = false
  #released = false
  /** The deadline fired. */
  timedOut = false

  constructor(caller: AbortSignal, timeoutMs: number, mode: DeadlineMode) {
    this.#caller = caller
    this.#timeoutMs = timeoutMs
    this.#mode = mode
    this.#timer = setTimeout(this.#onTimer, timeoutMs)
    if (caller.aborted) this.#controller.abort()
    else caller.addEventListener('abort', this.#onAbort, { once: true })
  }

  /** Passed to the HTTP request. */
  get signal(): PlainAbortSignal {
    return this.#controller.signal
  }

  /** The caller aborted. */
  get cancelled(): boolean {
    return this.#caller.aborted
  }

  /** Data arrived (idle mode). */
  touch(): void {
    this.#lastActivityMs = Date.now()
  }

  /** The consumer holds the stream (idle mode): the clock stops until {@link resume}. */
  suspend(): void {
    this.#suspended = true
  }

  resume(): void {
    this.#suspended = false
    this.#lastActivityMs = Date.now()
  }

  /**
   * Ends the call: clears the timer and unlinks the caller. An unfinished
   * call is aborted, which closes its connection at once.
   */
  release(finished: boolean): void {
    if (this.#released) return
    this.#released = true
    clearTimeout(this.#timer)
    this.#caller.removeEventListener('abort', this.#onAbort)
    if (!finished) this.#controller.abort()
  }

  readonly #onAbort = (): void => this.#controller.abort()

  // Re-arming on fire (rather than on every chunk) keeps the hot path to one Date.now().
  readonly #onTimer = (): void => {
    if (this.#mode === 'idle') {
      const idleMs = Date.now() - this.#lastActivityMs
      if (this.#suspended || idleMs < this.#timeoutMs) {
        const waitMs = this.#suspended ? this.#timeoutMs : this.#timeoutMs - idleMs
        this.#timer = setTimeout(this.#onTimer, waitMs)
        return
      }
    }
    this.timedOut = true
    this.#controller.abort()
  }
}
