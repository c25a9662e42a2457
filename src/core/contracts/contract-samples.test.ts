/**
 * The contract test: every schema under `contracts/schemas/` is well-formed and strict, and
 * every sample under `contracts/samples/<schema>/{valid,invalid}/` behaves as it says. It lives
 * in core because it checks the contracts with core's validator (contracts import nothing).
 * New schemas and samples are picked up without changes here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { readContractSchemas, samplesDir, schemaIdBase } from '../../../contracts/index.js'
import { checkContract, contractValidator } from './contract-validator.js'

interface InvalidSample {
  readonly description: string
  readonly expect: { readonly path: string; readonly keyword: string }
  readonly payload: unknown
}

const schemas = readContractSchemas()
const schemaNames = new Set(schemas.map((s) => s.name))

function sampleFiles(schema: string, kind: 'valid' | 'invalid'): string[] {
  const dir = `${samplesDir}${schema}/${kind}/`
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : []
}

function readSample(schema: string, kind: 'valid' | 'invalid', file: string): unknown {
  return JSON.parse(readFileSync(`${samplesDir}${schema}/${kind}/${file}`, 'utf8')) as unknown
}

function isInvalidSample(value: unknown): value is InvalidSample {
  if (typeof value !== 'object' || value === null) return false
  const sample = value as Record<string, unknown>
  const expectation = sample.expect as Record<string, unknown> | undefined
  return (
    Object.keys(sample).sort().join() === 'description,expect,payload' &&
    typeof sample.description === 'string' &&
    sample.description.length > 0 &&
    typeof expectation?.path === 'string' &&
    typeof expectation.keyword === 'string' &&
    Object.keys(expectation).length === 2
  )
}

it('finds the contract schemas', () => {
  expect([...schemaNames]).toEqual(
    expect.arrayContaining([
      'task-request',
      'result-envelope',
      'stream-event',
      'routing-decision',
      'aip-manifest',
    ]),
  )
})

it('has no samples for a schema that does not exist', () => {
  const orphans = readdirSync(samplesDir).filter((dir) => !schemaNames.has(dir))
  expect(orphans).toEqual([])
})

describe.each(schemas.map((s) => [s.name, s] as const))('contract %s', (name, contract) => {
  it('declares its $id and draft 2020-12', () => {
    expect(contract.schema.$id).toBe(`${schemaIdBase}${name}.schema.json`)
    expect(contract.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
  })

  it('compiles under Ajv strict mode', () => {
    expect(typeof contractValidator(name)).toBe('function')
  })

  it('has at least one valid and one invalid sample', () => {
    expect(sampleFiles(name, 'valid').length).toBeGreaterThan(0)
    expect(sampleFiles(name, 'invalid').length).toBeGreaterThan(0)
  })

  const valid = sampleFiles(name, 'valid')
  it.skipIf(valid.length === 0).each(valid)('accepts valid/%s', (file) => {
    expect(checkContract(name, readSample(name, 'valid', file))).toEqual([])
  })

  const invalid = sampleFiles(name, 'invalid')
  it.skipIf(invalid.length === 0).each(invalid)('rejects invalid/%s where it says', (file) => {
    const sample = readSample(name, 'invalid', file)
    expect(isInvalidSample(sample), 'shape {description, expect: {path, keyword}, payload}').toBe(
      true,
    )
    const { expect: expected, payload } = sample as InvalidSample
    const violations = checkContract(name, payload)
    const found = violations.some((v) => v.path === expected.path && v.keyword === expected.keyword)
    expect(found, `expected ${JSON.stringify(expected)} among ${JSON.stringify(violations)}`).toBe(
      true,
    )
  })
})
