/**
 * The bytes of an S3 put, read whole before anything is sent: S3 wants the
 * length up front, and the SHA-256 must be known before the request so a
 * body that misses its expected digest is refused with nothing stored, and
 * the server checks the same digest (`x-amz-checksum-sha256`) on arrival.
 * Small bodies stay in memory; a larger stream spills to a temporary file.
 */
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { ObjectBody } from '../ports/object-store.js'

/** A body read whole: its length and SHA-256, and a way to send it. */
export interface SpooledBody {
  readonly sizeBytes: number
  /** `sha256:<hex>`. */
  readonly digest: string
  /** The SHA-256 as S3's checksum headers carry it (base64). */
  readonly checksumBase64: string
  /** The bytes, or a fresh stream of the spill file. */
  bytes(): Uint8Array | Readable
  /** Removes the spill file, if any. */
  dispose(): Promise<void>
}

/** Options of {@link spoolBody}. */
export interface SpoolOptions {
  /** Bytes kept in memory before a stream spills to a file. */
  readonly memoryLimitBytes: number
  /** Directory of spill files (made when needed). */
  readonly spillDir: string
}

/** Reads `body` whole, hashing as it goes. */
export async function spoolBody(body: ObjectBody, options: SpoolOptions): Promise<SpooledBody> {
  const hash = createHash('sha256')
  if (body instanceof Uint8Array) {
    hash.update(body)
    return inMemory(body, hash.digest())
  }
  const chunks: Uint8Array[] = []
  let sizeBytes = 0
  let file: { path: string; handle: FileHandle } | undefined
  try {
    for await (const chunk of body) {
      hash.update(chunk)
      sizeBytes += chunk.length
      if (file) {
        await file.handle.write(chunk)
        continue
      }
      chunks.push(chunk)
      if (sizeBytes > options.memoryLimitBytes) {
        file = await openSpill(options.spillDir)
        for (const held of chunks.splice(0)) await file.handle.write(held)
      }
    }
  } catch (error) {
    if (file) {
      await file.handle.close()
      await rm(file.path, { force: true })
    }
    throw error
  }
  if (!file) return inMemory(Buffer.concat(chunks), hash.digest())
  await file.handle.close()
  const path = file.path
  const raw = hash.digest()
  return {
    sizeBytes,
    digest: `sha256:${raw.toString('hex')}`,
    checksumBase64: raw.toString('base64'),
    bytes: () => createReadStream(path),
    dispose: () => rm(path, { force: true }),
  }
}

function inMemory(bytes: Uint8Array, raw: Buffer): SpooledBody {
  return {
    sizeBytes: bytes.length,
    digest: `sha256:${raw.toString('hex')}`,
    checksumBase64: raw.toString('base64'),
    bytes: () => bytes,
    dispose: async () => undefined,
  }
}

async function openSpill(dir: string): Promise<{ path: string; handle: FileHandle }> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, `aion-s3-put-${randomUUID()}`)
  return { path, handle: await open(path, 'wx', 0o600) }
}
