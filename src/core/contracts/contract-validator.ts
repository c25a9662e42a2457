/**
 * Validation against the contract schemas. One Ajv instance holds every
 * schema (so cross-schema `$ref`s resolve); each validator is compiled once,
 * on first use, and reused.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { readContractSchemas } from '../../../contracts/index.js'
import { ContractViolationError, type Violation } from '../errors/index.js'

// ajv-formats is CommonJS with `module.exports = formatsPlugin`.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

let ajv: Ajv2020 | undefined
const compiled = new Map<string, ValidateFunction>()

function instance(): Ajv2020 {
  if (ajv) return ajv
  ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true })
  addFormats(ajv)
  for (const { $id, schema } of readContractSchemas()) ajv.addSchema(schema, $id)
  return ajv
}

/**
 * Turns Ajv errors into violations whose path points at the offending value. Ajv's own
 * `if` errors ("must match then schema") are dropped: the failing `then` keywords are
 * reported beside them, at the precise path.
 */
export function toViolations(errors: readonly ErrorObject[] | null | undefined): Violation[] {
  return (errors ?? [])
    .filter((error) => error.keyword !== 'if')
    .map((error) => {
      const params = error.params as Record<string, unknown>
      // For a missing or unknown property Ajv points at the parent; point at the property itself.
      const child =
        (params.missingProperty as string | undefined) ??
        (params.additionalProperty as string | undefined) ??
        (params.unevaluatedProperty as string | undefined)
      const path =
        child === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(child)}`
      return { path, message: error.message ?? error.keyword, keyword: error.keyword }
    })
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1')
}

/** The compiled validator of one contract schema, by name (`task-request`, `intents`, …). */
export function contractValidator(name: string): ValidateFunction {
  const cached = compiled.get(name)
  if (cached) return cached
  const validate = instance().getSchema(`https://omertaos.dev/schemas/v1/${name}.schema.json`)
  if (!validate) throw new TypeError(`no contract schema named ${name}`)
  compiled.set(name, validate)
  return validate
}

/** Every violation of `value` against the named contract; empty when it conforms. */
export function checkContract(name: string, value: unknown): Violation[] {
  const validate = contractValidator(name)
  return validate(value) ? [] : toViolations(validate.errors)
}

/** Throws {@link ContractViolationError} listing every violation. */
export function assertContract<T>(name: string, value: unknown): T {
  const violations = checkContract(name, value)
  if (violations.length > 0) throw new ContractViolationError({ schema: name, violations })
  return value as T
}
