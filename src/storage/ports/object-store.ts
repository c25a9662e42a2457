/**
 * The object-store port: named blobs (packages, quarantined artifacts, policy
 * versions, assets) under `/`-separated keys such as
 * `packages/sha256/<hex>.tar.gz`. S3-shaped on purpose — keys, content type,
 * size, a SHA-256 digest and small string metadata per object, listing by
 * prefix — so the S3 adapter is a thin folder beside the local-directory one.
 */

/** What the store knows about one object. */
export interface ObjectInfo {
  readonly key: string
  readonly sizeBytes: number
  /** @default 'application/octet-stream' */
  readonly contentType: string
  /** `sha256:<hex>` of the bytes, computed by the store while writing. */
  readonly digest: string
  /** Caller metadata (S3 `x-amz-meta-*`): short string pairs. */
  readonly metadata: Readonly<Record<string, string>>
  /** ISO-8601 time the object was written. */
  readonly storedAt: string
}

/** Options of {@link ObjectStore.put}. */
export interface PutObjectOptions {
  /** @default 'application/octet-stream' */
  readonly contentType?: string
  /** @default {} */
  readonly metadata?: Readonly<Record<string, string>>
  /**
   * `sha256:<hex>` the bytes must have; otherwise nothing is stored and the put
   * fails with AION_OBJECT_DIGEST_MISMATCH (S3: `x-amz-checksum-sha256`).
   * @default unchecked
   */
  readonly expectedDigest?: string
}

/** The bytes of a put: in memory, or streamed (a Node Readable is an async iterable). */
export type ObjectBody = Uint8Array | AsyncIterable<Uint8Array>

/**
 * Named blobs. A put is atomic: readers see the old object or the new one,
 * never part of one. Keys: 1–1024 bytes of `A–Z a–z 0–9 ! - _ . * ' ( ) /`,
 * no empty, `.` or `..` segment, no leading `/` (AION_OBJECT_KEY_INVALID).
 * I/O failures are AION_OBJECT_STORE_UNAVAILABLE (retryable).
 */
export interface ObjectStore {
  /** Stores `body` under `key`, replacing what was there. */
  put(key: string, body: ObjectBody, options?: PutObjectOptions): Promise<ObjectInfo>
  /** The object's bytes and info, or `undefined` when there is none. */
  get(key: string): Promise<{ readonly info: ObjectInfo; readonly body: Buffer } | undefined>
  /** The object's info without its bytes, or `undefined`. */
  head(key: string): Promise<ObjectInfo | undefined>
  exists(key: string): Promise<boolean>
  /** Every object whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>
  /** Removes the object; false when there was none. */
  delete(key: string): Promise<boolean>
}
