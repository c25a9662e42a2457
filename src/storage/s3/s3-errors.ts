/**
 * What the S3 client's failures mean to the object-store port: a missing
 * object is an answer (`undefined`, `false`), everything else — refused
 * connections, timeouts, 5xx, refused credentials, a missing bucket — is
 * AION_OBJECT_STORE_UNAVAILABLE (retryable), with the server's error code in
 * the detail so an operator can tell a stopped server from a wrong key.
 */
import { S3ServiceException } from '@aws-sdk/client-s3'
import { ObjectStoreUnavailableError } from '../../core/errors/index.js'

/** Whether `error` says the object (not the bucket) is not there. */
export function isMissingObject(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false
  // HEAD answers carry no body, so a missing bucket is a bare 404 there too;
  // the store checks its bucket at open, so a 404 here is the object's.
  return error.name === 'NoSuchKey' || (error.name === 'NotFound' && status(error) === 404)
}

/** Whether `error` says the bucket does not exist. */
export function isMissingBucket(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchBucket' || (error.name === 'NotFound' && status(error) === 404))
  )
}

function status(error: S3ServiceException): number | undefined {
  return error.$metadata?.httpStatusCode
}

/** A one-line account of `error` without credentials (the SDK never puts them in messages). */
export function describeS3Error(error: unknown): string {
  if (error instanceof S3ServiceException) {
    const code = status(error)
    const message = error.message && error.message !== 'UnknownError' ? `: ${error.message}` : ''
    return `S3 ${error.name}${code === undefined ? '' : ` (HTTP ${code})`}${message}`
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    const nested = (error as Error & { errors?: unknown[] }).errors
    // Node's happy-eyeballs connect rejects with an AggregateError of each address's failure.
    const first = Array.isArray(nested) && nested[0] instanceof Error ? nested[0].message : ''
    return [error.name, code, error.message || first].filter(Boolean).join(': ')
  }
  return String(error)
}

/** AION_OBJECT_STORE_UNAVAILABLE for `key`, caused by `error`. */
export function unavailable(
  key: string,
  error: unknown,
  context?: string,
): InstanceType<typeof ObjectStoreUnavailableError> {
  const described = describeS3Error(error)
  const detail = context ? `${context}: ${described}` : described
  // The SDK's exceptions carry the whole HTTP exchange (signed headers, sockets);
  // logs and problem documents get its one-line account instead.
  const cause = error instanceof S3ServiceException ? new Error(described) : error
  return new ObjectStoreUnavailableError({ key, detail }, { cause })
}
