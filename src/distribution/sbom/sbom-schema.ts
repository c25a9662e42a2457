/**
 * Validation of CycloneDX 1.6 JSON against the schema the CycloneDX library
 * ships (its own validator needs optional dependencies we do not carry, so
 * this is Ajv over the same bundled files, configured as the library does:
 * formats checked, `iri-reference` accepted as is, remote schemas refused).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { toViolations } from '../../core/contracts/contract-validator.js'
import { SbomInvalidError } from '../../core/errors/index.js'

// ajv-formats is CommonJS with `module.exports = formatsPlugin`.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

let validator: ValidateFunction | undefined

function schemaFile(name: string): unknown {
  const require = createRequire(import.meta.url)
  const root = dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json'))
  return JSON.parse(readFileSync(join(root, 'res', 'schema', name), 'utf8')) as unknown
}

function compile(): ValidateFunction {
  if (validator) return validator
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    useDefaults: false,
    loadSchema: (uri) => Promise.reject(new Error(`remote schemas are disabled: ${uri}`)),
  })
  addFormats(ajv)
  // The library checks idn-email with a draft-2019 plugin; a mailbox shape is enough here.
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u)
  ajv.addFormat('iri-reference', true)
  const base = 'http://cyclonedx.org/schema/'
  ajv.addSchema(
    schemaFile('spdx.SNAPSHOT.schema.json') as object,
    `${base}spdx.SNAPSHOT.schema.json`,
  )
  ajv.addSchema(
    schemaFile('jsf-0.82.SNAPSHOT.schema.json') as object,
    `${base}jsf-0.82.SNAPSHOT.schema.json`,
  )
  validator = ajv.compile(schemaFile('bom-1.6.SNAPSHOT.schema.json') as object)
  return validator
}

/** Throws AION_SBOM_INVALID listing every violation unless `document` is CycloneDX 1.6 JSON. */
export function assertCycloneDx16(document: unknown): void {
  const validate = compile()
  const specVersion = (document as { specVersion?: unknown } | null)?.specVersion
  if (specVersion !== '1.6') {
    throw new SbomInvalidError({
      violations: [
        { path: '/specVersion', message: `is ${JSON.stringify(specVersion)}, not "1.6"` },
      ],
    })
  }
  if (!validate(document)) throw new SbomInvalidError({ violations: toViolations(validate.errors) })
}

/** Parses CycloneDX JSON text and checks it with {@link assertCycloneDx16}. */
export function parseCycloneDx16(text: string): unknown {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (error) {
    throw new SbomInvalidError(
      { violations: [{ path: '', message: 'is not JSON' }] },
      { cause: error },
    )
  }
  assertCycloneDx16(document)
  return document
}
