/**
 * Random ids from one pooled buffer: a CSPRNG fill serves hundreds of ids
 * instead of one system call per id (a span id of every provider call, the
 * gateway's trace ids, task ids). Measured under load: `randomBytes(8)` per
 * provider call was ~6 µs of the main thread's time per task.
 */
import { randomFillSync } from 'node:crypto'

const pool = Buffer.allocUnsafe(4096)
let offset = pool.length

function take(bytes: number): number {
  if (offset + bytes > pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  const at = offset
  offset += bytes
  return at
}

/** `bytes` random bytes as lower-case hex, never all zeros (W3C trace and span ids must not be). */
export function randomHexId(bytes: number): string {
  for (;;) {
    const at = take(bytes)
    const id = pool.toString('hex', at, at + bytes)
    if (!/^0+$/.test(id)) return id
  }
}

/**
 * A uniformly random fraction in [0, 1) with 8 bits: `byte / 256`, which keeps
 * each of 32 (or any power-of-two number of) choices exactly equally likely
 * (ulid's base32 characters).
 */
export function randomByteFraction(): number {
  return (pool[take(1)] as number) / 256
}
