/**
 * The Redis that tests run against (`AION_TEST_REDIS_URL`, else
 * redis://127.0.0.1:6379), a key prefix of their own in it, and a TCP proxy
 * in front of it that can cut every connection and refuse new ones (Redis
 * down) and then let them through again (Redis back), without the client
 * under test being rebuilt.
 */
import { randomBytes } from 'node:crypto'
import { connect, createServer, type Socket } from 'node:net'
import { closeRedis, connectRedis, type Redis } from '../../src/storage/redis/index.js'
import type { EngineProbe } from './engines.js'

/** AION_TEST_REDIS_URL, else the default local Redis. */
export function testRedisUrl(): string {
  return process.env.AION_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
}

const redact = (url: string) => url.replace(/:[^:@/]*@/, ':***@')

/** Whether Redis answers PING, and at which URL. */
export async function probeRedis(): Promise<EngineProbe<string>> {
  const url = testRedisUrl()
  let reason = 'no answer'
  const client = connectRedis({
    url,
    commandTimeoutMs: 2000,
    onError: (error) => (reason = error.message || error.name),
  })
  try {
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 3000)
      client.once('ready', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    if (ready && (await client.ping()) === 'PONG') return { ok: true, value: url }
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error)
  } finally {
    client.disconnect()
  }
  return {
    ok: false,
    reason: `Redis unreachable at ${redact(url)} (${reason}); set AION_TEST_REDIS_URL`,
  }
}

/** A key prefix no concurrent run will pick. */
export function freshKeyPrefix(): string {
  return `aion_test_${randomBytes(6).toString('hex')}:`
}

/** A client for tests, connected. */
export async function testRedisClient(url: string, commandTimeoutMs = 2000): Promise<Redis> {
  const client = connectRedis({ url, commandTimeoutMs })
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve())
    setTimeout(() => reject(new Error('Redis did not become ready')), 3000).unref()
  })
  return client
}

/** Every key under `prefix`. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    keys.push(...batch)
    cursor = next
  } while (cursor !== '0')
  return keys.sort()
}

/** Deletes every key under `prefix`, then closes the client. */
export async function dropKeys(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix)
  if (keys.length > 0) await client.del(...keys)
  await closeRedis(client)
}

/** A TCP proxy that can play an outage. */
export interface OutageProxy {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string
  /** Cuts every open connection and refuses new ones until {@link restore}. */
  cut(): void
  restore(): void
  close(): Promise<void>
}

/** Starts a proxy to the Redis at `url`. */
export async function startOutageProxy(url: string): Promise<OutageProxy> {
  const target = new URL(url)
  const open = new Set<Socket>()
  let down = false
  const server = createServer((client) => {
    if (down) return void client.destroy()
    const upstream = connect(Number(target.port || 6379), target.hostname)
    for (const socket of [client, upstream]) {
      open.add(socket)
      socket.on('close', () => open.delete(socket))
      socket.on('error', () => undefined)
    }
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const auth = target.username || target.password ? `${target.username}:${target.password}@` : ''
  return {
    url: `redis://${auth}127.0.0.1:${port}${target.pathname}`,
    cut() {
      down = true
      for (const socket of open) socket.destroy()
    },
    restore() {
      down = false
    },
    close() {
      down = true
      for (const socket of open) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await new Promise((resolve) => server.close(resolve))
  return port
}
