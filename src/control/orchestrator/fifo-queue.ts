/** A first-in first-out queue with O(1) push, shift and removal by value. */
export class FifoQueue<T> {
  #items: (T | undefined)[] = []
  #head = 0
  #size = 0

  get size(): number {
    return this.#size
  }

  push(item: T): void {
    this.#items.push(item)
    this.#size++
  }

  shift(): T | undefined {
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head]
      this.#items[this.#head++] = undefined
      if (item !== undefined) {
        this.#size--
        this.#compact()
        return item
      }
    }
    return undefined
  }

  /**
   * Removes `item`; true when it was queued. Linear, but only cancellation of
   * a task that has not started calls it.
   */
  remove(item: T): boolean {
    const index = this.#items.indexOf(item, this.#head)
    if (index < 0) return false
    this.#items[index] = undefined
    this.#size--
    return true
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
  }
}
