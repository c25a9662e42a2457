/**
 * A real EventSource client of `GET /v1/stream/{task_id}` for e2e tests:
 * collects the named events (`token`, `partial`, `done`, `error`) until
 * `stop` says so, optionally resuming with `Last-Event-ID`.
 */
import { EventSource } from 'eventsource'
import type { StreamEvent } from '../../contracts/generated/index.js'

/** One received SSE event: its name, `id:` and parsed data. */
export interface ReceivedEvent {
  type: string
  id: string
  data: StreamEvent
}

export interface ListenOptions {
  readonly lastEventId?: string
  readonly stop: (events: ReceivedEvent[]) => boolean
  /** @default 15000 */
  readonly timeoutMs?: number
}

/** True once the stream's final event arrived. */
export const ended = (events: ReceivedEvent[]): boolean =>
  events.some((e) => e.type === 'done' || e.type === 'error')

/** Listens to the task's stream at `url` with API key `key`. */
export function listenToStream(
  server: { readonly url: string; readonly key: string },
  taskId: string,
  options: ListenOptions,
): Promise<ReceivedEvent[]> {
  const events: ReceivedEvent[] = []
  return new Promise((resolve, reject) => {
    const source = new EventSource(`${server.url}/v1/stream/${taskId}`, {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: {
            ...(init?.headers as Record<string, string>),
            authorization: `Bearer ${server.key}`,
            ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
          },
        }),
    })
    const timer = setTimeout(() => {
      source.close()
      reject(new Error(`stream timed out after ${events.length} events`))
    }, options.timeoutMs ?? 15_000)
    for (const name of ['token', 'partial', 'done', 'error']) {
      source.addEventListener(name, (event) => {
        // EventSource reports its own connection errors as `error` events without data.
        if (event.data === undefined) return
        events.push({
          type: name,
          id: event.lastEventId,
          data: JSON.parse(event.data) as StreamEvent,
        })
        if (options.stop(events)) {
          clearTimeout(timer)
          source.close()
          resolve(events)
        }
      })
    }
  })
}
