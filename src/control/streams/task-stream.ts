/**
 * One task's event stream in memory: every event numbered from 1 and kept
 * until the stream is evicted, so a subscriber can start after any `seq` it
 * saw and get the rest with no gap and no duplicate, then follow live.
 */
import type { ResultEnvelope, StreamEvent, TaskError } from '../../../contracts/generated/index.js'

/** A task's stream: producers append, any number of subscribers read. */
export class TaskStream {
  readonly taskId: string
  readonly tenantId: string
  readonly #events: StreamEvent[] = []
  #wakers: (() => void)[] = []
  #final: ResultEnvelope | undefined
  #endedAt: number | undefined
  #subscribed = false
  readonly #ended: Promise<ResultEnvelope>
  #resolveEnded!: (envelope: ResultEnvelope) => void

  constructor(taskId: string, tenantId: string) {
    this.taskId = taskId
    this.tenantId = tenantId
    this.#ended = new Promise((resolve) => {
      this.#resolveEnded = resolve
    })
  }

  /** The final envelope once the task ended. */
  get final(): ResultEnvelope | undefined {
    return this.#final
  }

  /** When the stream ended (ms since the epoch), if it did. */
  get endedAt(): number | undefined {
    return this.#endedAt
  }

  /** Whether anyone subscribed to the stream (and so may resume it after an event it saw). */
  get subscribed(): boolean {
    return this.#subscribed
  }

  /** Events so far. */
  get length(): number {
    return this.#events.length
  }

  /** Resolves with the final envelope when the task ends. */
  whenEnded(): Promise<ResultEnvelope> {
    return this.#ended
  }

  /** A text delta; `step`: the pipeline step that produced it. */
  token(text: string, step?: number): void {
    const event = { event: 'token', task_id: this.taskId, seq: this.#next(), text } as const
    this.#push(step === undefined ? event : { ...event, step })
  }

  /** A partial output; `step`: the pipeline step whose output it is. */
  partial(output: Record<string, unknown>, step?: number): void {
    const event = { event: 'partial', task_id: this.taskId, seq: this.#next(), output } as const
    this.#push(step === undefined ? event : { ...event, step })
  }

  /** Ends the stream with `done` carrying the final envelope. */
  done(envelope: ResultEnvelope): void {
    if (this.#final) return
    this.#final = envelope
    this.#push({ event: 'done', task_id: this.taskId, seq: this.#next(), envelope })
    this.#finish(envelope)
  }

  /** Ends the stream with `error` (output was streamed, then the task failed). */
  fail(error: TaskError, envelope: ResultEnvelope): void {
    if (this.#final) return
    this.#final = envelope
    this.#push({ event: 'error', task_id: this.taskId, seq: this.#next(), error })
    this.#finish(envelope)
  }

  /**
   * Events with `seq > afterSeq`, then live ones, until `done`/`error`.
   * Ends quietly when `signal` aborts; breaking out releases the subscription.
   */
  async *subscribe(afterSeq: number, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
    this.#subscribed = true
    let index = Math.max(0, Math.floor(afterSeq))
    for (;;) {
      while (index < this.#events.length) yield this.#events[index++]!
      if (this.#final || signal?.aborted) return
      await this.#changed(signal)
    }
  }

  #next(): number {
    return this.#events.length + 1
  }

  #push(event: StreamEvent): void {
    if (this.#final && event.event !== 'done' && event.event !== 'error') return
    this.#events.push(event)
    const wakers = this.#wakers
    if (wakers.length === 0) return
    this.#wakers = []
    for (const wake of wakers) wake()
  }

  #finish(envelope: ResultEnvelope): void {
    this.#endedAt = Date.now()
    this.#resolveEnded(envelope)
  }

  #changed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        signal?.removeEventListener('abort', wake)
        resolve()
      }
      this.#wakers.push(wake)
      signal?.addEventListener('abort', wake, { once: true })
    })
  }
}
