/**
 * A value that must not leak into logs, JSON or error messages: it prints as
 * `[redacted]` everywhere and is read only through {@link Secret.reveal}.
 */
import { inspect } from 'node:util'

const redacted = '[redacted]'

/** Wraps a secret string (a database URL with a password, an API key). */
export class Secret {
  readonly #value: string

  constructor(value: string) {
    this.#value = value
  }

  /** The secret itself; call it only where the value is used, never to log it. */
  reveal(): string {
    return this.#value
  }

  toString(): string {
    return redacted
  }

  toJSON(): string {
    return redacted
  }

  [inspect.custom](): string {
    return `Secret(${redacted})`
  }
}
