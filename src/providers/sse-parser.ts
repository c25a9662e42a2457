/**
 * An incremental Server-Sent Events parser (the WHATWG event-stream format):
 * events split anywhere across TCP chunks (inside a line, a UTF-8 character
 * or a `\r\n` pair), `\n`, `\r\n` or `\r` line ends, comment lines, multi-line
 * `data`. Only what chat-completion streams use is kept: the event name and
 * its data.
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field. @default 'message' */
  readonly event: string
  /** The `data:` lines, joined with `\n`. */
  readonly data: string
}

const LF = 10
const CR = 13
const COLON = 58

/** Feed bytes with {@link push}; call {@link end} once the stream is over. */
export class SseParser {
  readonly #decoder = new TextDecoder()
  #pending = ''
  #data: string[] | undefined
  #event = 'message'
  // A chunk that ended on `\r` may be followed by the `\n` of the same line end.
  #skipLf = false

  /** The events completed by this chunk (often none or one). */
  push(chunk: Uint8Array): SseEvent[] {
    return this.#feed(this.#decoder.decode(chunk, { stream: true }))
  }

  /**
   * Flushes the end of the stream. Lenient where the format is strict: a last
   * event not followed by a blank line is still dispatched, since some
   * servers end with `data: [DONE]\n`.
   */
  end(): SseEvent[] {
    const events = this.#feed(this.#decoder.decode())
    if (this.#pending !== '') this.#line(this.#pending, events)
    this.#pending = ''
    this.#line('', events)
    return events
  }

  #feed(text: string): SseEvent[] {
    const events: SseEvent[] = []
    let start = 0
    if (this.#skipLf && text.charCodeAt(0) === LF) start = 1
    this.#skipLf = false
    for (let i = start; i < text.length; i++) {
      const code = text.charCodeAt(i)
      if (code !== LF && code !== CR) continue
      const line =
        this.#pending === '' ? text.slice(start, i) : this.#pending + text.slice(start, i)
      this.#pending = ''
      this.#line(line, events)
      if (code === CR) {
        if (i + 1 === text.length) this.#skipLf = true
        else if (text.charCodeAt(i + 1) === LF) i++
      }
      start = i + 1
    }
    if (start < text.length) this.#pending += text.slice(start)
    return events
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.#data !== undefined) events.push({ event: this.#event, data: this.#data.join('\n') })
      this.#data = undefined
      this.#event = 'message'
      return
    }
    if (line.charCodeAt(0) === COLON) return
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.charCodeAt(0) === 32) value = value.slice(1)
    if (field === 'data') (this.#data ??= []).push(value)
    else if (field === 'event') this.#event = value
  }
}
