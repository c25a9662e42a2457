/**
 * Checking one parsed registry file against its contract schema, turning each
 * Ajv error into an issue with a code by kind of mistake and a place.
 */
import type { ErrorObject } from 'ajv/dist/2020.js'
import { contractValidator, toViolations } from '../contracts/contract-validator.js'
import type { RegistryIssue } from '../errors/index.js'
import {
  RegistryInvalidValueError,
  RegistryMissingKeyError,
  RegistryUnknownKeyError,
  RegistryWrongTypeError,
} from '../errors/index.js'
import { pointerSegment, pointerSegments, registryIssue } from './registry-issue.js'
import type { RegistryFileName } from './registry-types.js'
import type { YamlFile } from './yaml-file.js'

const schemaOf: Record<RegistryFileName, string> = {
  'intents.yml': 'intents',
  'policies.yml': 'policies',
  'models.yml': 'models',
  'modules.yml': 'modules',
}

const codeOfKeyword: Readonly<Record<string, string>> = {
  required: RegistryMissingKeyError.code,
  additionalProperties: RegistryUnknownKeyError.code,
  type: RegistryWrongTypeError.code,
}

/** Every schema violation of one file, located. */
export function schemaIssues(name: RegistryFileName, yaml: YamlFile): RegistryIssue[] {
  const validate = contractValidator(schemaOf[name])
  if (validate(yaml.data)) return []
  const errors = validate.errors ?? []
  const violations = toViolations(errors)
  return errors.flatMap((error, i) => {
    // A bad property name yields an inner error plus a `propertyNames` wrapper: keep the inner one.
    if (error.keyword === 'propertyNames') return []
    const { propertyName } = error
    const namedKey = propertyName !== undefined
    const path = namedKey
      ? `${error.instancePath}/${pointerSegment(propertyName)}`
      : (violations[i]?.path ?? error.instancePath)
    const atKey = namedKey || error.keyword === 'additionalProperties'
    const code = codeOfKeyword[error.keyword] ?? RegistryInvalidValueError.code
    const message = describe(error, yaml.data, namedKey ? propertyName : undefined)
    return [registryIssue(code, yaml.file, path, message, yaml.position(path, atKey))]
  })
}

function describe(error: ErrorObject, data: unknown, propertyName: string | undefined): string {
  const params = error.params as Record<string, unknown>
  if (propertyName !== undefined) return `name "${propertyName}" ${error.message ?? 'is invalid'}`
  switch (error.keyword) {
    case 'required':
      return `missing required key "${String(params.missingProperty)}"`
    case 'additionalProperties':
      return `unknown key "${String(params.additionalProperty)}"`
    case 'type':
      return `must be ${String(params.type)}, got ${typeName(valueAt(data, error.instancePath))}`
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    default:
      return error.message ?? error.keyword
  }
}

function valueAt(data: unknown, path: string): unknown {
  let value = data
  for (const segment of pointerSegments(path)) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[segment]
  }
  return value
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer'
  return typeof value
}
