/** Concurrency of one route: at most `limit` tasks run at once; the rest wait in order. */
import { FifoQueue } from './fifo-queue.js'

interface Waiter {
  readonly grant: () => void
}

/** A counting semaphore whose waits can be aborted. */
export class WorkerLane {
  readonly limit: number
  #active = 0
  readonly #waiting = new FifoQueue<Waiter>()

  constructor(limit: number) {
    this.limit = limit
  }

  get active(): number {
    return this.#active
  }

  /** Takes a slot when one is free now (and nobody waits); false otherwise. */
  tryAcquire(): boolean {
    if (this.#active >= this.limit) return false
    this.#active++
    return true
  }

  /** Resolves when a slot is held; rejects with the signal's reason when it aborts first. */
  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason)
    if (this.#active < this.limit) {
      this.#active++
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      const onAbort = () => {
        this.#waiting.remove(waiter)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#waiting.push(waiter)
    })
  }

  /** Frees a slot, handing it to the next waiter if any. */
  release(): void {
    const next = this.#waiting.shift()
    if (next) next.grant()
    else this.#active--
  }
}
