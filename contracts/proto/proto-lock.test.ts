import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readContractSchemas } from '../index.js'
import {
  aionProtoPath,
  compareWithLock,
  describeAionProto,
  extendLock,
  loadAionProto,
  readFieldLock,
  unlockedEntries,
} from './proto-lock.js'

type Schema = {
  properties?: Record<string, unknown>
  enum?: string[]
  $defs?: Record<string, Schema>
}
const schemas = new Map(readContractSchemas().map((c) => [c.name, c.schema as Schema]))
const root = loadAionProto()
const current = describeAionProto(root)

function schemaAt(name: string, def?: string): Schema {
  const schema = schemas.get(name)
  const node = def === undefined ? schema : schema?.$defs?.[def]
  if (!node) throw new TypeError(`no schema ${name}${def ? `#/$defs/${def}` : ''}`)
  return node
}

const propertiesOf = (schema: Schema): string[] => Object.keys(schema.properties ?? {})
const fieldsOf = (message: string): string[] =>
  Object.keys(current.messages[`aion.v1.${message}`] ?? {})

describe('aion.v1 proto field-number lock', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'aion-proto-'))
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))
  const source = readFileSync(aionProtoPath, 'utf8')

  /** Loads a mutated copy of the proto and compares it with the committed lock. */
  function problemsOf(mutated: string): string[] {
    expect(mutated).not.toBe(source)
    const path = join(tmp, 'aion.proto')
    writeFileSync(path, mutated)
    const mutatedRoot = loadAionProto(path)
    return compareWithLock(readFieldLock(), describeAionProto(mutatedRoot), mutatedRoot)
  }

  it('keeps every locked field, enum value and RPC as it was', () => {
    expect(compareWithLock(readFieldLock(), current, root)).toEqual([])
  })

  it('has every field of the proto in the lock (run `npx tsx contracts/proto/proto-lock.ts`)', () => {
    expect(unlockedEntries(readFieldLock(), current)).toEqual([])
  })

  it('defines the four RPCs, Stream server-streaming', () => {
    const service = current.services['aion.v1.AionService']
    expect(Object.keys(service ?? {}).sort()).toEqual(['Cancel', 'StatusById', 'Stream', 'Submit'])
    expect(service?.Stream).toMatchObject({ responseStream: true, response: 'aion.v1.StreamEvent' })
    expect(service?.Submit).toMatchObject({
      responseStream: false,
      response: 'aion.v1.ResultEnvelope',
    })
  })

  it('rejects a renumbered field', () => {
    const problems = problemsOf(source.replace('string trace_id = 9;', 'string trace_id = 12;'))
    expect(problems).toEqual([expect.stringContaining('aion.v1.ResultEnvelope.trace_id changed')])
  })

  it('rejects a field whose type changed', () => {
    const problems = problemsOf(
      source.replace('uint32 duration_ms = 4;', 'uint64 duration_ms = 4;'),
    )
    expect(problems).toEqual([expect.stringContaining('aion.v1.Usage.duration_ms changed')])
  })

  it('rejects a removed field, but accepts it once its number and name are reserved', () => {
    const removed = source.replace('  string reason = 2;\n', '')
    expect(problemsOf(removed)).toEqual([expect.stringContaining('aion.v1.CancelRequest.reason')])
    const reserved = source.replace(
      '  string reason = 2;\n',
      '  reserved 2;\n  reserved "reason";\n',
    )
    expect(problemsOf(reserved)).toEqual([])
  })

  it('rejects a removed enum value and a changed RPC', () => {
    const problems = problemsOf(
      source
        .replace('  TASK_STATUS_TIMED_OUT = 7;\n', '')
        .replace('returns (stream StreamEvent)', 'returns (StreamEvent)'),
    )
    expect(problems).toEqual([
      'enum aion.v1.TaskStatus.TASK_STATUS_TIMED_OUT was removed',
      expect.stringContaining('service aion.v1.AionService.Stream changed'),
    ])
  })

  it('extends the lock with new fields without touching locked ones', () => {
    const added = source.replace('string reason = 2;', 'string reason = 2;\n  bool force = 3;')
    const path = join(tmp, 'added.proto')
    writeFileSync(path, added)
    const grown = describeAionProto(loadAionProto(path))
    expect(unlockedEntries(readFieldLock(), grown)).toEqual(['aion.v1.CancelRequest.force'])
    const extended = extendLock(readFieldLock(), grown)
    expect(extended.messages['aion.v1.CancelRequest']?.force).toEqual({
      id: 3,
      type: 'bool',
      label: 'singular',
    })
    expect(compareWithLock(extended, grown, loadAionProto(path))).toEqual([])
  })
})

describe('aion.v1 proto mirrors the JSON contracts', () => {
  const pairs: Array<[string, string | undefined, string]> = [
    ['task-request', undefined, 'TaskRequest'],
    ['result-envelope', undefined, 'ResultEnvelope'],
    ['result-envelope', 'usage', 'Usage'],
    ['result-envelope', 'task_error', 'TaskError'],
    ['routing-decision', 'engine', 'Engine'],
  ]
  it.each(pairs)('%s %s has a field for every JSON property in %s', (schema, def, message) => {
    expect(fieldsOf(message).sort()).toEqual(
      expect.arrayContaining(propertiesOf(schemaAt(schema, def))),
    )
  })

  const events: Array<[string, string]> = [
    ['token', 'TokenEvent'],
    ['partial', 'PartialEvent'],
    ['done', 'DoneEvent'],
    ['error', 'ErrorEvent'],
  ]
  it.each(events)(
    'stream event %s: common fields on StreamEvent, the rest on %s',
    (event, message) => {
      const props = propertiesOf(schemaAt('stream-event', `${event}_event`))
      const common = ['event', 'task_id', 'seq']
      expect(props).toEqual(expect.arrayContaining(common))
      expect(fieldsOf(message)).toEqual(
        expect.arrayContaining(props.filter((p) => !common.includes(p))),
      )
      expect(current.messages['aion.v1.StreamEvent']?.[event]).toMatchObject({
        oneof: 'event',
        type: `aion.v1.${message}`,
      })
    },
  )

  it('has one oneof member per JSON event tag', () => {
    const tags = schemaAt('stream-event').properties?.event as Schema
    const members = Object.entries(current.messages['aion.v1.StreamEvent'] ?? {})
      .filter(([, field]) => field.oneof === 'event')
      .map(([name]) => name)
    expect(members.sort()).toEqual([...(tags.enum ?? [])].sort())
  })

  const enums: Array<[string, string, string]> = [
    ['task-request', 'requested_route', 'RequestedRoute'],
    ['task-request', 'privacy_mode', 'PrivacyMode'],
    ['routing-decision', 'route', 'Route'],
    ['routing-decision', 'engine_kind', 'EngineKind'],
    ['result-envelope', 'task_status', 'TaskStatus'],
  ]
  it.each(enums)('%s %s values map one-to-one onto enum %s', (schema, def, protoEnum) => {
    const prefix = protoEnum.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()
    const expected = (schemaAt(schema, def).enum ?? []).map(
      (value) => `${prefix}_${value.toUpperCase().replaceAll('-', '_')}`,
    )
    expect(expected.length).toBeGreaterThan(1)
    expect(Object.keys(current.enums[`aion.v1.${protoEnum}`] ?? {}).sort()).toEqual(
      [`${prefix}_UNSPECIFIED`, ...expected].sort(),
    )
  })
})
