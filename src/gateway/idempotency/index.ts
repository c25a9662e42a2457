/** `Idempotency-Key`: the cache port, key validation, request fingerprint and the service. */
export type {
  IdempotencyCache,
  IdempotencyCacheBegin,
  IdempotencyCacheBeginInput,
  IdempotencyCacheRecord,
  IdempotencyCacheRef,
} from '../../core/edge-state/index.js'
export { readIdempotencyKey } from './idempotency-key.js'
export {
  createIdempotency,
  currentEnvelope,
  type Idempotency,
  type IdempotencyOptions,
  type IdempotencyProgress,
  type IdempotentResponse,
} from './idempotency-service.js'
export { canonicalJson, requestFingerprint } from './request-fingerprint.js'
