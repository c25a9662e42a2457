/**
 * The production object store: objects in one bucket of an S3-API server
 * (AWS S3, MinIO, S3Proxy) through the official AWS SDK v3, path-style so
 * any host name works. Each tenant's objects lie under `tenants/<id>/`: the
 * object `packages/x.tar.gz` of tenant `default` is `tenants/default/packages/x.tar.gz~`
 * in the bucket (the `~`: see OBJECT_SUFFIX). A put reads its body whole first
 * (s3-body.ts) and sends it in one PutObject with its SHA-256 as
 * `x-amz-checksum-sha256`: the server refuses bytes that do not match it,
 * stores it beside the object, and S3 makes the put atomic (readers see the
 * old object or the new one). Content type and caller metadata are the
 * object's own headers; `storedAt` is the server's Last-Modified.
 */
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3'
import { ObjectDigestMismatchError, ObjectKeyInvalidError } from '../../core/errors/index.js'
import type {
  ObjectBody,
  ObjectInfo,
  ObjectStore,
  PutObjectOptions,
} from '../ports/object-store.js'
import { DEFAULT_TENANT_ID } from '../ports/tenant.js'
import { assertObjectKey, assertObjectMetadata, assertObjectPrefix } from '../objects/object-key.js'
import { spoolBody } from './s3-body.js'
import { isMissingBucket, isMissingObject, unavailable } from './s3-errors.js'

const DEFAULT_CONTENT_TYPE = 'application/octet-stream'
/**
 * Appended to every key in the bucket, as the local-directory store does on
 * disk: S3-API servers on a file system (S3Proxy's filesystem backend, MinIO)
 * cannot hold `a/b` beside `a/b/c`, since `a/b` would be a file and a folder;
 * `a/b~` and `a/b/c~` never collide, and `~` is no key character.
 */
const OBJECT_SUFFIX = '~'
/** HEADs in flight at once while listing. */
const LIST_HEAD_CONCURRENCY = 8

/** Options of {@link S3ObjectStore.open}. */
export interface S3ObjectStoreOptions {
  /** `http(s)://host:port` of the S3-API server. @default AWS S3 of `region` */
  readonly endpoint?: string | undefined
  readonly bucket: string
  /** @default 'us-east-1' */
  readonly region?: string
  /** Access key pair; unset, the SDK's default chain (environment, profile, instance role). @default undefined */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string }
  /** The tenant whose objects this store holds (`tenants/<id>/…`). @default 'default' */
  readonly tenantId?: string
  /** Create the bucket when it does not exist. @default true */
  readonly createBucket?: boolean
  /** Attempts per request, the first included (the SDK's backoff between them). @default 3 */
  readonly maxAttempts?: number
  /** Longest wait for a connection. @default 5000 */
  readonly connectTimeoutMs?: number
  /** Longest silence of the server on an open request. @default 60000 */
  readonly requestTimeoutMs?: number
  /** Bytes of a streamed put kept in memory before it spills to a file. @default 8388608 */
  readonly memoryLimitBytes?: number
  /** Directory of spill files. @default os.tmpdir() */
  readonly spillDir?: string
}

type Head = { readonly info: ObjectInfo; readonly checksum: string | undefined }

/** {@link ObjectStore} over an S3 bucket. */
export class S3ObjectStore implements ObjectStore {
  readonly bucket: string
  /** `tenants/<id>/`: what every key of this store starts with in the bucket. */
  readonly keyPrefix: string
  readonly #client: S3Client
  readonly #spool: { memoryLimitBytes: number; spillDir: string }

  private constructor(client: S3Client, options: S3ObjectStoreOptions) {
    this.#client = client
    this.bucket = options.bucket
    const tenantId = options.tenantId ?? DEFAULT_TENANT_ID
    assertObjectKey(tenantId)
    if (tenantId.includes('/')) {
      throw new ObjectKeyInvalidError({
        key: tenantId,
        detail: 'is a tenant id: one segment, no /',
      })
    }
    this.keyPrefix = `tenants/${tenantId}/`
    this.#spool = {
      memoryLimitBytes: options.memoryLimitBytes ?? 8 * 1024 * 1024,
      spillDir: options.spillDir ?? tmpdir(),
    }
  }

  /**
   * A store on `options.bucket`, checked (and created when missing, unless
   * `createBucket` is false) before it is returned: a server that is down, a
   * refused key pair or a bucket that cannot be had fails here with
   * AION_OBJECT_STORE_UNAVAILABLE naming the bucket, not on the first put.
   */
  static async open(options: S3ObjectStoreOptions): Promise<S3ObjectStore> {
    const client = new S3Client({
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      region: options.region ?? 'us-east-1',
      forcePathStyle: true,
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
      maxAttempts: options.maxAttempts ?? 3,
      // The store sends its own SHA-256; no extra CRC32 (and no aws-chunked
      // trailers, which not every S3-API server reads).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: options.connectTimeoutMs ?? 5000,
        requestTimeout: options.requestTimeoutMs ?? 60000,
      },
    })
    const store = new S3ObjectStore(client, options)
    try {
      await store.#ensureBucket(options.createBucket ?? true)
    } catch (error) {
      client.destroy()
      throw error
    }
    return store
  }

  async put(key: string, body: ObjectBody, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    assertObjectKey(key)
    const metadata = { ...options.metadata }
    assertObjectMetadata(key, metadata)
    const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE
    let spooled
    try {
      spooled = await spoolBody(body, this.#spool)
    } catch (error) {
      throw unavailable(key, error, 'reading the body')
    }
    try {
      const { digest } = spooled
      if (options.expectedDigest !== undefined && options.expectedDigest !== digest) {
        throw new ObjectDigestMismatchError({ key, expectedDigest: options.expectedDigest, digest })
      }
      // The SDK retries an in-memory body; a spilled one (a stream) goes once,
      // and its failure is retryable for the caller, who holds the source.
      try {
        await this.#client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.#bucketKey(key),
            Body: spooled.bytes(),
            ContentLength: spooled.sizeBytes,
            ContentType: contentType,
            Metadata: metadata,
            ChecksumSHA256: spooled.checksumBase64,
          }),
        )
      } catch (error) {
        throw unavailable(key, error)
      }
      const stored = await this.#head(key)
      // Another writer may have replaced the object already; ours is what this put stored.
      if (stored && stored.checksum === spooled.checksumBase64) return stored.info
      return {
        key,
        sizeBytes: spooled.sizeBytes,
        contentType,
        digest,
        metadata,
        storedAt: new Date().toISOString(),
      }
    } finally {
      await spooled.dispose()
    }
  }

  async get(key: string): Promise<{ info: ObjectInfo; body: Buffer } | undefined> {
    assertObjectKey(key)
    try {
      const output = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.#bucketKey(key),
          ChecksumMode: 'ENABLED',
        }),
      )
      const body = Buffer.from((await output.Body?.transformToByteArray()) ?? new Uint8Array(0))
      const { info } = this.#info(key, output)
      // An object another client wrote without a SHA-256 gets its digest from its bytes.
      const digest =
        output.ChecksumSHA256 === undefined
          ? `sha256:${createHash('sha256').update(body).digest('hex')}`
          : info.digest
      return { info: { ...info, digest }, body }
    } catch (error) {
      if (isMissingObject(error)) return undefined
      throw unavailable(key, error)
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertObjectKey(key)
    return (await this.#head(key))?.info
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    assertObjectPrefix(prefix)
    const keys: string[] = []
    let token: string | undefined
    do {
      let page
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.keyPrefix + prefix,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        )
      } catch (error) {
        throw unavailable(prefix, error)
      }
      for (const item of page.Contents ?? []) {
        // Objects other clients put beside ours (no suffix) are not this store's.
        if (item.Key?.endsWith(OBJECT_SUFFIX)) {
          keys.push(item.Key.slice(this.keyPrefix.length, -OBJECT_SUFFIX.length))
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token !== undefined)
    keys.sort(byCodeUnit)
    const infos: (ObjectInfo | undefined)[] = new Array(keys.length)
    let next = 0
    const worker = async () => {
      while (next < keys.length) {
        const index = next++
        infos[index] = (await this.#head(keys[index] as string))?.info
      }
    }
    await Promise.all(Array.from({ length: Math.min(LIST_HEAD_CONCURRENCY, keys.length) }, worker))
    // An object deleted between the listing and its HEAD is simply gone.
    return infos.filter((info): info is ObjectInfo => info !== undefined)
  }

  async delete(key: string): Promise<boolean> {
    assertObjectKey(key)
    // S3 deletes are idempotent and do not say whether there was an object.
    if ((await this.#head(key)) === undefined) return false
    try {
      await this.#client.send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: this.#bucketKey(key) }),
      )
      return true
    } catch (error) {
      throw unavailable(key, error)
    }
  }

  /** Closes the client's connections. */
  close(): void {
    this.#client.destroy()
  }

  #bucketKey(key: string): string {
    return this.keyPrefix + key + OBJECT_SUFFIX
  }

  async #head(key: string): Promise<Head | undefined> {
    try {
      const output = await this.#client.send(
        new HeadObjectCommand({
          Bucket: this.bucket,
          Key: this.#bucketKey(key),
          ChecksumMode: 'ENABLED',
        }),
      )
      return this.#info(key, output)
    } catch (error) {
      if (isMissingObject(error)) return undefined
      throw unavailable(key, error)
    }
  }

  #info(
    key: string,
    output: Pick<
      HeadObjectCommandOutput,
      'ContentLength' | 'ContentType' | 'ChecksumSHA256' | 'Metadata' | 'LastModified'
    >,
  ): Head {
    const checksum = output.ChecksumSHA256
    const info: ObjectInfo = {
      key,
      sizeBytes: output.ContentLength ?? 0,
      contentType: output.ContentType ?? DEFAULT_CONTENT_TYPE,
      digest:
        checksum === undefined
          ? 'sha256:unknown'
          : `sha256:${Buffer.from(checksum, 'base64').toString('hex')}`,
      metadata: { ...output.Metadata },
      storedAt: (output.LastModified ?? new Date(0)).toISOString(),
    }
    return { info, checksum }
  }

  async #ensureBucket(create: boolean): Promise<void> {
    const where = `bucket ${this.bucket}`
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }))
      return
    } catch (error) {
      if (!isMissingBucket(error)) throw unavailable('', error, `checking ${where}`)
      if (!create) throw unavailable('', error, `${where} does not exist`)
    }
    try {
      await this.#client.send(new CreateBucketCommand({ Bucket: this.bucket }))
    } catch (error) {
      const name = (error as Error).name
      // Two processes starting together both see it missing; one creates it.
      if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return
      throw unavailable('', error, `${where} does not exist and could not be created`)
    }
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
