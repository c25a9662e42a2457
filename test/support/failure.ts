/** Awaiting a call that must fail with the platform's error. */
import { isAionError, type AionError } from '../../src/core/errors/index.js'

/**
 * The AionError `promise` rejects with. Throws when it resolves instead, and
 * rethrows any other error, so a test never reads a code off the wrong thing.
 */
export async function failureOf(promise: Promise<unknown>): Promise<AionError> {
  const error = await promise.then(
    (result: unknown) => new Error(`expected a failure, got ${JSON.stringify(result)}`),
    (e: unknown) => e,
  )
  if (!isAionError(error)) throw error
  return error
}
