import { IdempotencyKeyInvalidError } from '../../core/errors/index.js'

const visibleAscii = /^[\x21-\x7e]{1,255}$/

/**
 * The request's `Idempotency-Key` (1–255 visible ASCII characters), or
 * undefined when absent; anything else → 400 `AION_IDEMPOTENCY_KEY_INVALID`.
 */
export function readIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined
  if (Array.isArray(header)) {
    throw new IdempotencyKeyInvalidError({ reason: 'the header must appear once' })
  }
  if (visibleAscii.test(header)) return header
  if (header.length === 0) throw new IdempotencyKeyInvalidError({ reason: 'it is empty' })
  if (header.length > 255) {
    throw new IdempotencyKeyInvalidError({ reason: 'it is longer than 255 characters' })
  }
  throw new IdempotencyKeyInvalidError({
    reason: 'it may hold only visible ASCII characters (0x21-0x7E)',
  })
}
