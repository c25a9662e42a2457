/**
 * One Redis connection per process (ioredis multiplexes every command over
 * it). Tuned so that an outage is seen at once instead of piling up:
 * commands sent while disconnected fail immediately (no offline queue), a
 * command Redis does not answer in `commandTimeoutMs` fails, and the client
 * reconnects forever in the background with a capped backoff, so a Redis
 * that comes back serves again without a restart.
 */
import { Redis } from 'ioredis'

/** Options of {@link connectRedis}. */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  readonly url: string
  /** How long one command may take before it fails. @default 500 */
  readonly commandTimeoutMs?: number
  /** Longest wait between two reconnection attempts. @default 1000 */
  readonly maxReconnectDelayMs?: number
  /** Told of connection errors (each one; the caller decides how often to log). @default ignore */
  readonly onError?: (error: Error) => void
}

/** Opens the client; it connects in the background (see {@link waitUntilReady}). */
export function connectRedis(options: RedisConnectionOptions): Redis {
  const maxDelayMs = options.maxReconnectDelayMs ?? 1000
  const client = new Redis(options.url, {
    connectionName: 'omertaos',
    enableOfflineQueue: false,
    // A command that was sent when the connection dropped fails instead of being resent:
    // the callers decide (a token is not taken twice, a lease is not extended late).
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), maxDelayMs),
  })
  // Without a listener ioredis prints every connection error itself.
  client.on('error', options.onError ?? (() => undefined))
  return client
}

/**
 * Resolves true once the client is connected, false after `timeoutMs`
 * (it keeps trying in the background either way).
 */
export function waitUntilReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true)
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer)
      client.off('ready', onReady)
      resolve(ready)
    }
    const onReady = () => done(true)
    const timer = setTimeout(() => done(false), timeoutMs)
    client.on('ready', onReady)
  })
}

/** Closes the connection: pending replies are awaited, no reconnection follows. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return
  try {
    await client.quit()
  } catch {
    client.disconnect()
  }
}
