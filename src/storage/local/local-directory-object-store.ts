/**
 * The embedded object store: one file per object under a root directory
 * (`<data dir>/objects` by default), at the object's key with `~` appended —
 * `~` is no key character, so an object file never collides with the folder
 * of a longer key. Each file starts with a fixed 4 KiB header holding the
 * object's info as space-padded JSON, then the bytes. A put streams into a
 * temporary file (hashing as it goes), writes the header last, syncs, and
 * renames the file into place: readers see the old object or the new one.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { ObjectDigestMismatchError, ObjectStoreUnavailableError } from '../../core/errors/index.js'
import type {
  ObjectBody,
  ObjectInfo,
  ObjectStore,
  PutObjectOptions,
} from '../ports/object-store.js'
import { assertObjectKey, assertObjectMetadata, assertObjectPrefix } from '../objects/object-key.js'

const HEADER_BYTES = 4096
const OBJECT_SUFFIX = '~'
const TEMP_DIR = '~tmp'
const DEFAULT_CONTENT_TYPE = 'application/octet-stream'

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

function unavailable(
  key: string,
  error: unknown,
): InstanceType<typeof ObjectStoreUnavailableError> {
  const detail = (error as Error).message
  return new ObjectStoreUnavailableError({ key, detail }, { cause: error })
}

function header(info: ObjectInfo): Buffer {
  const json = Buffer.from(JSON.stringify({ v: 1, ...info }))
  // Key (1 KiB) and metadata (2 KiB) limits keep the JSON well under the header.
  const bytes = Buffer.alloc(HEADER_BYTES, 0x20)
  json.copy(bytes)
  bytes[HEADER_BYTES - 1] = 0x0a
  return bytes
}

function parseHeader(key: string, bytes: Buffer): ObjectInfo {
  try {
    const { v: _version, ...info } = JSON.parse(bytes.toString('utf8')) as ObjectInfo & {
      v: number
    }
    return info
  } catch (error) {
    throw unavailable(key, new Error(`the object's header is unreadable`, { cause: error }))
  }
}

async function writeBody(handle: FileHandle, body: ObjectBody) {
  const hash = createHash('sha256')
  let position = HEADER_BYTES
  const chunks = body instanceof Uint8Array ? [body] : body
  for await (const chunk of chunks) {
    hash.update(chunk)
    await handle.write(chunk, 0, chunk.length, position)
    position += chunk.length
  }
  return { sizeBytes: position - HEADER_BYTES, digest: `sha256:${hash.digest('hex')}` }
}

/** {@link ObjectStore} over a local directory. */
export class LocalDirectoryObjectStore implements ObjectStore {
  /** @param root absolute directory holding the objects; made on the first put. */
  constructor(readonly root: string) {}

  async put(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    assertObjectKey(key)
    const metadata = { ...options.metadata }
    assertObjectMetadata(key, metadata)
    const tempDir = join(this.root, TEMP_DIR)
    let temp: string | undefined
    try {
      await mkdir(tempDir, { recursive: true })
      temp = join(tempDir, randomUUID())
      const handle = await open(temp, 'wx', 0o644)
      let info: ObjectInfo
      try {
        const { sizeBytes, digest } = await writeBody(handle, body)
        if (options.expectedDigest !== undefined && options.expectedDigest !== digest) {
          throw new ObjectDigestMismatchError({
            key,
            expectedDigest: options.expectedDigest,
            digest,
          })
        }
        info = {
          key,
          sizeBytes,
          contentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
          digest,
          metadata,
          storedAt: new Date().toISOString(),
        }
        await handle.write(header(info), 0, HEADER_BYTES, 0)
        await handle.datasync()
      } finally {
        await handle.close()
      }
      const file = this.#file(key)
      await mkdir(dirname(file), { recursive: true })
      await rename(temp, file)
      temp = undefined
      return info
    } catch (error) {
      if (error instanceof ObjectDigestMismatchError) throw error
      throw unavailable(key, error)
    } finally {
      if (temp !== undefined) await rm(temp, { force: true })
    }
  }

  async get(key: string): Promise<{ info: ObjectInfo; body: Buffer } | undefined> {
    assertObjectKey(key)
    const handle = await this.#open(key)
    if (!handle) return undefined
    try {
      const bytes = await handle.readFile()
      const info = parseHeader(key, bytes.subarray(0, HEADER_BYTES))
      return { info, body: bytes.subarray(HEADER_BYTES) }
    } catch (error) {
      throw error instanceof ObjectStoreUnavailableError ? error : unavailable(key, error)
    } finally {
      await handle.close()
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertObjectKey(key)
    return this.#head(key)
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    assertObjectPrefix(prefix)
    // Walk only the deepest folder every matching key lies in.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : ''
    const keys: string[] = []
    await this.#walk(folder, keys)
    const infos: ObjectInfo[] = []
    for (const key of keys.filter((k) => k.startsWith(prefix)).sort(byCodeUnit)) {
      const info = await this.#head(key)
      if (info) infos.push(info)
    }
    return infos
  }

  async delete(key: string): Promise<boolean> {
    assertObjectKey(key)
    const file = this.#file(key)
    try {
      await rm(file)
      return true
    } catch (error) {
      if (isMissing(error)) return false
      throw unavailable(key, error)
    }
  }

  #file(key: string): string {
    return join(this.root, ...key.split('/')) + OBJECT_SUFFIX
  }

  async #open(key: string): Promise<FileHandle | undefined> {
    try {
      return await open(this.#file(key), 'r')
    } catch (error) {
      if (isMissing(error)) return undefined
      throw unavailable(key, error)
    }
  }

  async #head(key: string): Promise<ObjectInfo | undefined> {
    const handle = await this.#open(key)
    if (!handle) return undefined
    try {
      const bytes = Buffer.alloc(HEADER_BYTES)
      await handle.read(bytes, 0, HEADER_BYTES, 0)
      return parseHeader(key, bytes)
    } catch (error) {
      throw error instanceof ObjectStoreUnavailableError ? error : unavailable(key, error)
    } finally {
      await handle.close()
    }
  }

  async #walk(folder: string, into: string[]): Promise<void> {
    const dir = folder === '' ? this.root : join(this.root, ...folder.split('/'))
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (error) {
      if (isMissing(error)) return
      throw unavailable(folder, error)
    }
    for (const entry of entries) {
      const path = folder === '' ? entry.name : `${folder}/${entry.name}`
      if (entry.isDirectory() && !entry.name.includes(OBJECT_SUFFIX)) {
        await this.#walk(path, into)
      } else if (entry.isFile() && entry.name.endsWith(OBJECT_SUFFIX)) {
        into.push(path.slice(0, -OBJECT_SUFFIX.length))
      }
    }
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
