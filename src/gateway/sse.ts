/**
 * Server-Sent Events over a raw Node response: named events with monotonic
 * ids, heartbeats, and respect for socket backpressure.
 */
import { once } from 'node:events'
import type { ServerResponse } from 'node:http'

/** How often an idle stream gets a comment line, so proxies keep it open. */
export const sseHeartbeatMs = 15_000

export function openSse(raw: ServerResponse, extraHeaders: Record<string, string> = {}): void {
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...extraHeaders,
  })
  // Flush headers now: a client waiting on a queued task must see the stream open.
  raw.flushHeaders()
}

/** Writes one event; resolves when the socket can take more (backpressure). */
export async function writeSseEvent(raw: ServerResponse, event: SseEvent): Promise<void> {
  if (!raw.write(sseFrame(event))) await once(raw, 'drain')
}

/** One named SSE event; `id` is left out for an event outside the task's sequence. */
export interface SseEvent {
  readonly id?: number
  readonly name: string
  readonly data: unknown
}

/** The wire form of one event. */
export function sseFrame(event: SseEvent): string {
  const id = event.id === undefined ? '' : `id: ${event.id}\n`
  return `${id}event: ${event.name}\ndata: ${JSON.stringify(event.data)}\n\n`
}

/** Starts heartbeat comments; returns the function that stops them. */
export function startSseHeartbeat(raw: ServerResponse, intervalMs = sseHeartbeatMs): () => void {
  const timer = setInterval(() => raw.write(': heartbeat\n\n'), intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}

/** `Last-Event-ID` (or `?last_event_id=`) as a sequence number; 0 when absent or invalid. */
export function lastEventId(header: string | string[] | undefined, query: unknown): number {
  const fromQuery =
    query && typeof query === 'object'
      ? (query as Record<string, unknown>).last_event_id
      : undefined
  const value = (Array.isArray(header) ? header[0] : header) ?? fromQuery
  const parsed = typeof value === 'string' && /^\d{1,15}$/.test(value.trim()) ? Number(value) : 0
  return Number.isSafeInteger(parsed) ? parsed : 0
}
