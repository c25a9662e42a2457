/**
 * The in-process hub of task streams. A stream lives while its task runs and
 * for a retention window after it ends (bounded in count too), so clients can
 * resume after a disconnect; older tasks are answered from the store. A stream
 * nobody subscribed to that carried only its final event goes when it ends:
 * the store answers a later follower with the same `done` (seq 1, the stored
 * envelope), and no client can be resuming it. Under load most tasks are such
 * (a client waiting with `Prefer: wait`, a non-streamed provider call), and
 * keeping them only grew the old generation and the GC pauses.
 */
import { TaskStream } from './task-stream.js'

/** Options of {@link TaskStreamHub}. */
export interface TaskStreamHubOptions {
  /** How long an ended stream stays replayable. @default 120000 */
  readonly retentionMs?: number
  /** Most ended streams kept at once; the oldest go first. @default 10000 */
  readonly maxRetained?: number
}

/** Task streams by task id. */
export class TaskStreamHub {
  readonly #streams = new Map<string, TaskStream>()
  // Ended streams in the order they ended, for eviction by age and by count.
  #ended: TaskStream[] = []
  #endedHead = 0
  readonly #retentionMs: number
  readonly #maxRetained: number
  readonly #sweeper: NodeJS.Timeout

  constructor(options: TaskStreamHubOptions = {}) {
    this.#retentionMs = options.retentionMs ?? 120_000
    this.#maxRetained = options.maxRetained ?? 10_000
    this.#sweeper = setInterval(() => this.#evict(), Math.max(1000, this.#retentionMs / 2))
    this.#sweeper.unref()
  }

  /** The task's stream, created when absent. */
  open(taskId: string, tenantId: string): TaskStream {
    let stream = this.#streams.get(taskId)
    if (!stream) {
      stream = new TaskStream(taskId, tenantId)
      this.#streams.set(taskId, stream)
      void stream.whenEnded().then(() => this.#onEnded(stream!))
    }
    return stream
  }

  get(taskId: string): TaskStream | undefined {
    return this.#streams.get(taskId)
  }

  /** Streams that have not ended. */
  openStreams(): TaskStream[] {
    return [...this.#streams.values()].filter((s) => s.final === undefined)
  }

  close(): void {
    clearInterval(this.#sweeper)
  }

  #onEnded(stream: TaskStream): void {
    if (!stream.subscribed && stream.length === 1) {
      if (this.#streams.get(stream.taskId) === stream) this.#streams.delete(stream.taskId)
      return
    }
    this.#ended.push(stream)
    this.#evict()
  }

  #evict(): void {
    const horizon = Date.now() - this.#retentionMs
    while (this.#endedHead < this.#ended.length) {
      const oldest = this.#ended[this.#endedHead]!
      const retained = this.#ended.length - this.#endedHead
      if (retained <= this.#maxRetained && (oldest.endedAt ?? 0) > horizon) break
      if (this.#streams.get(oldest.taskId) === oldest) this.#streams.delete(oldest.taskId)
      this.#endedHead++
    }
    // Compact now and then so the array does not grow forever.
    if (this.#endedHead > 1024 && this.#endedHead * 2 > this.#ended.length) {
      this.#ended = this.#ended.slice(this.#endedHead)
      this.#endedHead = 0
    }
  }
}
