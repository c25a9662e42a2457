import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { generateContractTypes, generatedDir } from './generate-types.js'
import { readContractSchemas } from './index.js'

describe('generated contract types', () => {
  const generated = generateContractTypes()

  it('match the schemas (run `npm run contracts:gen` after changing a schema)', async () => {
    const expected = await generated
    const committed = readdirSync(generatedDir).sort()
    expect(committed).toEqual([...expected.keys()].sort())
    for (const [file, source] of expected)
      expect(readFileSync(generatedDir + file, 'utf8'), `contracts/generated/${file}`).toBe(source)
  })

  it('cover every schema, each with its root type in ContractTypes', async () => {
    const index = (await generated).get('index.ts') ?? ''
    for (const { name } of readContractSchemas()) {
      expect(index).toContain(`export * from './${name}.js'`)
      expect(index).toMatch(new RegExp(`^  '?${name}'?: \\w+$`, 'm'))
    }
  })

  it('name the main types after the schema titles', async () => {
    const files = await generated
    const roots: Array<[string, string]> = [
      ['task-request.ts', 'export interface TaskRequest '],
      ['result-envelope.ts', 'export interface ResultEnvelope '],
      [
        'stream-event.ts',
        'export type StreamEvent = TokenEvent | PartialEvent | DoneEvent | ErrorEvent',
      ],
      ['routing-decision.ts', 'export interface RoutingDecision '],
      ['aip-manifest.ts', 'export interface AipManifest '],
    ]
    for (const [file, declaration] of roots) expect(files.get(file)).toContain(declaration)
  })

  it('import a type owned by another schema instead of redeclaring it', async () => {
    const envelope = (await generated).get('result-envelope.ts') ?? ''
    expect(envelope).toContain("import type { Engine, Route } from './routing-decision.js'")
    expect(envelope).not.toMatch(/export (interface|type) Engine\b/)
  })
})
