/**
 * Error kinds and the one table that maps each kind to its HTTP and gRPC
 * status. Transports read this table; nothing else chooses a status.
 */

/** gRPC status codes (google.rpc.Code) used by the table. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const

export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus]

export const errorKinds = [
  'invalid_argument',
  'unprocessable',
  'payload_too_large',
  'unsupported_media_type',
  'method_not_allowed',
  'headers_too_large',
  'uri_too_long',
  'request_timeout',
  'unauthenticated',
  'permission_denied',
  'not_found',
  'conflict',
  'failed_precondition',
  'resource_exhausted',
  'deadline_exceeded',
  'unavailable',
  'cancelled',
  'unimplemented',
  'internal',
] as const

export type ErrorKind = (typeof errorKinds)[number]

export interface KindStatus {
  readonly http: number
  readonly grpc: GrpcStatusCode
}

/**
 * Kind → status. `satisfies Record<ErrorKind, …>` makes the table exhaustive:
 * adding a kind without a row fails the type-check.
 */
export const kindStatus = {
  invalid_argument: { http: 400, grpc: GrpcStatus.INVALID_ARGUMENT },
  // Well-formed but semantically wrong (schema violations, idempotency key reused with another body).
  unprocessable: { http: 422, grpc: GrpcStatus.INVALID_ARGUMENT },
  payload_too_large: { http: 413, grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  // HTTP-only refusals of the request's framing (media type, method, header or URL size, a stalled client).
  unsupported_media_type: { http: 415, grpc: GrpcStatus.INVALID_ARGUMENT },
  method_not_allowed: { http: 405, grpc: GrpcStatus.UNIMPLEMENTED },
  headers_too_large: { http: 431, grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  uri_too_long: { http: 414, grpc: GrpcStatus.INVALID_ARGUMENT },
  request_timeout: { http: 408, grpc: GrpcStatus.DEADLINE_EXCEEDED },
  unauthenticated: { http: 401, grpc: GrpcStatus.UNAUTHENTICATED },
  permission_denied: { http: 403, grpc: GrpcStatus.PERMISSION_DENIED },
  not_found: { http: 404, grpc: GrpcStatus.NOT_FOUND },
  conflict: { http: 409, grpc: GrpcStatus.ABORTED },
  failed_precondition: { http: 412, grpc: GrpcStatus.FAILED_PRECONDITION },
  resource_exhausted: { http: 429, grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  deadline_exceeded: { http: 504, grpc: GrpcStatus.DEADLINE_EXCEEDED },
  unavailable: { http: 503, grpc: GrpcStatus.UNAVAILABLE },
  cancelled: { http: 499, grpc: GrpcStatus.CANCELLED },
  unimplemented: { http: 501, grpc: GrpcStatus.UNIMPLEMENTED },
  internal: { http: 500, grpc: GrpcStatus.INTERNAL },
} as const satisfies Record<ErrorKind, KindStatus>

export function statusOfKind(kind: ErrorKind): KindStatus {
  return kindStatus[kind]
}
