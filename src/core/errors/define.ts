import { AionError, type ErrorFields, type ErrorSpec } from './aion-error.js'

const specs = new Map<string, ErrorSpec<never>>()

/** The constructor `defineError` returns: a named subclass of {@link AionError}. */
export interface AionErrorClass<F extends ErrorFields> {
  new (fields: F, options?: { cause?: unknown }): AionError<F>
  readonly code: string
  readonly spec: ErrorSpec<F>
}

/**
 * Declares one error code and returns its named class. Codes are unique:
 * defining one twice throws at import time, so a reused code cannot ship.
 */
export function defineError<F extends ErrorFields = Record<string, never>>(
  name: string,
  spec: ErrorSpec<F>,
): AionErrorClass<F> {
  if (!/^AION_[A-Z0-9]+_[A-Z0-9_]+$/.test(spec.code)) {
    throw new TypeError(`error code ${spec.code} does not match AION_<AREA>_<REASON>`)
  }
  if (specs.has(spec.code)) throw new TypeError(`error code ${spec.code} defined twice`)
  specs.set(spec.code, spec as ErrorSpec<never>)
  // A computed key gives the class its own name, so stack traces and logs read.
  const holder = {
    [name]: class extends AionError<F> {
      static readonly code = spec.code
      static readonly spec = spec
      constructor(fields: F, options?: { cause?: unknown }) {
        super(spec, fields, options)
      }
    },
  }
  return holder[name] as AionErrorClass<F>
}

/** Every defined error spec, by code. */
export function errorSpecs(): ReadonlyMap<string, ErrorSpec<never>> {
  return specs
}
