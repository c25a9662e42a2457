/**
 * A gate in front of the store's transactions: the SQLite dialect enters it
 * before BEGIN and leaves it when the connection is released (see
 * dialect/translating-dialect.ts). The WAL checkpointer closes it for the few
 * milliseconds its restart of the log needs: transactions already running
 * finish, new ones wait (asynchronously — the event loop keeps serving) until
 * it opens again.
 */
export class WriteGate {
  #active = 0
  /** Set while closed: resolves when the gate opens. */
  #closed: Promise<void> | undefined
  #open: (() => void) | undefined
  /** Waiting for the last running transaction to end. */
  #drained: (() => void)[] = []

  /** Resolves once the gate is open; the caller then counts as running until {@link leave}. */
  async enter(): Promise<void> {
    while (this.#closed) await this.#closed
    this.#active++
  }

  /** A transaction that entered has ended. */
  leave(): void {
    this.#active--
    if (this.#active === 0) for (const drained of this.#drained.splice(0)) drained()
  }

  /** Closes the gate; resolves once no transaction runs. Closing a closed gate waits the same. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#open = resolve
    })
    if (this.#active === 0) return Promise.resolve()
    return new Promise<void>((resolve) => this.#drained.push(resolve))
  }

  /** Opens the gate; waiting transactions start in the order they came. */
  open(): void {
    const open = this.#open
    this.#closed = undefined
    this.#open = undefined
    open?.()
  }

  /** Whether the gate is closed now. */
  get isClosed(): boolean {
    return this.#closed !== undefined
  }
}
