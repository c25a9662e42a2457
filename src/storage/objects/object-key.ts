/**
 * The rules every object-store adapter applies before touching its engine:
 * keys of S3's "safe characters" only (so the same key works on a file system
 * and on S3 unescaped), and metadata small enough for S3's 2 KiB limit.
 */
import { ObjectKeyInvalidError, ObjectMetadataInvalidError } from '../../core/errors/index.js'

/** Longest key, in bytes (S3's limit). */
export const OBJECT_KEY_MAX_BYTES = 1024
/** Most metadata per object, keys and values together (S3's limit for user metadata). */
export const OBJECT_METADATA_MAX_BYTES = 2048

const KEY_CHARS = /^[A-Za-z0-9!\-_.*'()/]*$/
const METADATA_KEY = /^[a-z0-9][a-z0-9-]{0,127}$/
const METADATA_VALUE = /^[\x20-\x7e]*$/

/** Throws AION_OBJECT_KEY_INVALID unless `key` is a valid object key. */
export function assertObjectKey(key: string): void {
  const invalid = (detail: string) => new ObjectKeyInvalidError({ key, detail })
  if (key.length === 0) throw invalid('is empty')
  if (key.length > OBJECT_KEY_MAX_BYTES) throw invalid(`is over ${OBJECT_KEY_MAX_BYTES} bytes`)
  if (!KEY_CHARS.test(key)) throw invalid("holds a character outside A-Z a-z 0-9 ! - _ . * ' ( ) /")
  for (const segment of key.split('/')) {
    if (segment === '') throw invalid('has an empty segment (a leading, trailing or double /)')
    if (segment === '.' || segment === '..') throw invalid(`has a ${segment} segment`)
  }
}

/** Throws AION_OBJECT_KEY_INVALID unless `prefix` could start a key (`''` lists everything). */
export function assertObjectPrefix(prefix: string): void {
  if (prefix === '') return
  // A prefix ending in `/` names a folder; check it as the key it would start.
  assertObjectKey(prefix.endsWith('/') ? `${prefix}x` : prefix)
}

/** Throws AION_OBJECT_METADATA_INVALID unless `metadata` fits every engine. */
export function assertObjectMetadata(
  key: string,
  metadata: Readonly<Record<string, string>>,
): void {
  const invalid = (detail: string) => new ObjectMetadataInvalidError({ key, detail })
  let bytes = 0
  for (const [name, value] of Object.entries(metadata)) {
    if (!METADATA_KEY.test(name)) throw invalid(`key ${JSON.stringify(name)} is not a-z 0-9 -`)
    if (typeof value !== 'string' || !METADATA_VALUE.test(value)) {
      throw invalid(`value of ${name} is not printable ASCII`)
    }
    bytes += name.length + value.length
  }
  if (bytes > OBJECT_METADATA_MAX_BYTES) {
    throw invalid(`is ${bytes} bytes, over ${OBJECT_METADATA_MAX_BYTES}`)
  }
}
