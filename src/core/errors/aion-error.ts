import type { ErrorKind } from './kinds.js'

/** JSON-safe structured fields carried by an error. */
export type ErrorFields = Record<string, unknown>

/** The static description of one error code. */
export interface ErrorSpec<F extends ErrorFields = ErrorFields> {
  /** Stable code, `AION_<AREA>_<REASON>`; never reused for another meaning. */
  readonly code: string
  readonly kind: ErrorKind
  readonly retryable: boolean
  readonly message: (fields: F) => string
}

/** Base class of every error the platform raises on purpose. */
export class AionError<F extends ErrorFields = ErrorFields> extends Error {
  readonly code: string
  readonly kind: ErrorKind
  readonly retryable: boolean
  readonly fields: F

  constructor(spec: ErrorSpec<F>, fields: F, options?: { cause?: unknown }) {
    super(spec.message(fields), options)
    this.code = spec.code
    this.kind = spec.kind
    this.retryable = spec.retryable
    this.fields = fields
  }

  override get name(): string {
    return this.constructor.name
  }

  toJSON(): { code: string; message: string; kind: ErrorKind; retryable: boolean; fields: F } {
    return {
      code: this.code,
      message: this.message,
      kind: this.kind,
      retryable: this.retryable,
      fields: this.fields,
    }
  }
}

export function isAionError(value: unknown): value is AionError {
  return value instanceof AionError
}
