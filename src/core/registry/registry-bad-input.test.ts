import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { registryDir, removeRegistryDirs } from './registry-dirs.fixture.js'
import { loadRegistrySet, parseRegistrySources, registryFileLimitBytes } from './index.js'
import type { RegistryIssue } from './index.js'

afterAll(removeRegistryDirs)

async function issuesOf(dir: string): Promise<readonly RegistryIssue[]> {
  const result = await loadRegistrySet(dir)
  expect(result.ok).toBe(false)
  return result.ok ? [] : result.issues
}

/** `file:line:column code path` of each issue, for compact expectations. */
async function placesOf(dir: string): Promise<string[]> {
  return (await issuesOf(dir)).map(
    (i) => `${i.file}:${i.line ?? '-'}:${i.column ?? '-'} ${i.code} ${i.path}`,
  )
}

describe('YAML-level mistakes', () => {
  it('syntax errors, with the place the parser stopped', async () => {
    expect(await placesOf(registryDir('yaml-syntax'))).toEqual([
      'intents.yml:5:1 AION_REGISTRY_YAML_SYNTAX ',
      'intents.yml:6:1 AION_REGISTRY_YAML_SYNTAX ',
    ])
  })

  it('duplicate keys, at the second occurrence', async () => {
    const issues = await issuesOf(registryDir('duplicate-key'))
    expect(issues).toEqual([
      {
        code: 'AION_REGISTRY_DUPLICATE_KEY',
        file: 'models.yml',
        line: 14,
        column: 5,
        path: '',
        message: 'Map keys must be unique',
      },
    ])
  })

  it('custom tags, which could smuggle in code', async () => {
    const [issue] = await issuesOf(registryDir('custom-tag'))
    expect(issue).toMatchObject({ code: 'AION_REGISTRY_YAML_SYNTAX', file: 'modules.yml', line: 4 })
    expect(issue?.message).toMatch(/custom tags are not allowed/)
  })

  it('alias bombs, without expanding them', async () => {
    const [issue] = await issuesOf(registryDir('alias-bomb'))
    expect(issue).toMatchObject({ code: 'AION_REGISTRY_YAML_SYNTAX', file: 'policies.yml' })
    expect(issue?.message).toMatch(/alias/i)
  })

  it('more than one document in a file', async () => {
    expect(await placesOf(registryDir('multiple-documents'))).toEqual([
      'intents.yml:7:1 AION_REGISTRY_YAML_SYNTAX ',
    ])
  })

  it('a document that is not a mapping', () => {
    const result = parseRegistrySources({
      'intents.yml': '- summarize\n',
      'policies.yml': 'true\n',
      'models.yml': '"models"\n',
      'modules.yml': '42\n',
    })
    expect(result.ok ? [] : result.issues.map((i) => [i.file, i.code, i.path, i.line])).toEqual([
      ['intents.yml', 'AION_REGISTRY_WRONG_TYPE', '', 1],
      ['policies.yml', 'AION_REGISTRY_WRONG_TYPE', '', 1],
      ['models.yml', 'AION_REGISTRY_WRONG_TYPE', '', 1],
      ['modules.yml', 'AION_REGISTRY_WRONG_TYPE', '', 1],
    ])
  })
})

describe('schema mistakes', () => {
  it('wrong types, at the value', async () => {
    const issues = await issuesOf(registryDir('wrong-types'))
    expect(issues.map((i) => `${i.line}:${i.column} ${i.code} ${i.path} ${i.message}`)).toEqual([
      '2:16 AION_REGISTRY_WRONG_TYPE /budget/default_usd must be number, got string',
      '7:23 AION_REGISTRY_WRONG_TYPE /privacy/local_only_intents must be array, got string',
      '13:26 AION_REGISTRY_WRONG_TYPE /routing/llm_router_timeout_ms must be integer, got number',
    ])
    expect(issues.every((i) => i.file === 'policies.yml')).toBe(true)
  })

  it('unknown keys, at the key, nested or at the top', async () => {
    expect(await placesOf(registryDir('unknown-keys'))).toEqual([
      'models.yml:14:5 AION_REGISTRY_UNKNOWN_KEY /models/openai:gpt-4.1-mini/contex_tokens',
      'models.yml:16:1 AION_REGISTRY_UNKNOWN_KEY /aliases',
    ])
  })

  it('missing required keys, at the object that lacks them', async () => {
    const issues = await issuesOf(registryDir('missing-keys'))
    expect(issues.map((i) => `${i.line}:${i.column} ${i.path} ${i.message}`)).toEqual([
      '2:5 /modules/0/signatures missing required key "signatures"',
      '6:5 /modules/0/limits/memory missing required key "memory"',
    ])
  })

  it('values outside an enum or pattern, naming what is allowed', () => {
    const intents =
      'summarize:\n  default_route: cloud\n  candidates: [local]\n  privacy: allow-api\n  tiers_allowed: [tier0]\n  vector_usage: false\nBad-Name:\n  default_route: auto\n'
    const result = parseRegistrySources({ ...configSources(), 'intents.yml': intents })
    const issues = result.ok ? [] : result.issues.filter((i) => i.file === 'intents.yml')
    expect(issues).toContainEqual({
      code: 'AION_REGISTRY_INVALID_VALUE',
      file: 'intents.yml',
      line: 2,
      column: 18,
      path: '/summarize/default_route',
      message: 'must be one of "auto", "local", "api", "hybrid"',
    })
    expect(issues).toContainEqual(
      expect.objectContaining({
        code: 'AION_REGISTRY_INVALID_VALUE',
        path: '/Bad-Name',
        line: 7,
        column: 1,
        message: expect.stringMatching(/^name "Bad-Name" must match pattern/),
      }),
    )
  })
})

describe('references across files', () => {
  it('every dangling reference, in the file that makes it', async () => {
    const issues = await issuesOf(registryDir('dangling-refs'))
    expect(issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.code} ${i.path}`)).toEqual([
      'intents.yml:5:26 AION_REGISTRY_DANGLING_REF /summarize/tiers_allowed/1',
      'policies.yml:5:37 AION_REGISTRY_DANGLING_REF /privacy/local_only_intents/1',
      'policies.yml:9:17 AION_REGISTRY_DANGLING_REF /routing/router_model',
      'models.yml:3:31 AION_REGISTRY_DANGLING_REF /tiers/tier0/local/1',
      'modules.yml:8:26 AION_REGISTRY_DANGLING_REF /modules/0/intents/1',
    ])
    expect(issues[1]?.message).toBe('intent "scan_passport" is not in intents.yml')
  })

  it('values that contradict each other', async () => {
    const issues = await issuesOf(registryDir('inconsistent'))
    expect(issues.map((i) => `${i.file}:${i.line} ${i.code} ${i.path}`)).toEqual([
      'intents.yml:2 AION_REGISTRY_INCONSISTENT /summarize/default_route',
      'intents.yml:8 AION_REGISTRY_INVALID_VALUE /summarize/input_schema',
      'intents.yml:12 AION_REGISTRY_INCONSISTENT /invoice_ocr/candidates/1',
      'intents.yml:14 AION_REGISTRY_INCONSISTENT /invoice_ocr/tiers_allowed/1',
      'policies.yml:1 AION_REGISTRY_INVALID_VALUE /budget/default_usd',
      'policies.yml:5 AION_REGISTRY_INCONSISTENT /privacy/local_only_intents/1',
      'models.yml:9 AION_REGISTRY_INCONSISTENT /models/openai:gpt-4.1-mini/provider',
      'modules.yml:9 AION_REGISTRY_INCONSISTENT /modules/1/name',
    ])
    expect(issues[1]?.message).toMatch(/unknown keyword: "requried"/)
    expect(issues[4]?.message).toBe('default_usd 0.5 exceeds hard_cap_usd 0.2')
  })

  it('ignores keys inherited from Object.prototype', () => {
    const modules = readFileSync(join(registryDir(), 'modules.yml'), 'utf8').replace(
      'intents: [summarize]',
      'intents: [constructor, summarize]',
    )
    const result = parseRegistrySources({ ...configSources(), 'modules.yml': modules })
    expect(result.ok ? [] : result.issues.map((i) => [i.code, i.path])).toEqual([
      ['AION_REGISTRY_DANGLING_REF', '/modules/0/intents/0'],
    ])
  })
})

describe('file-level problems', () => {
  it('a 10 MB file, without reading all of it', async () => {
    const dir = registryDir()
    writeFileSync(join(dir, 'intents.yml'), `# ${'x'.repeat(10 * 1024 * 1024)}\n`)
    expect(await issuesOf(dir)).toEqual([
      expect.objectContaining({
        code: 'AION_REGISTRY_FILE_TOO_LARGE',
        file: 'intents.yml',
        path: '',
        message: `file is larger than the ${registryFileLimitBytes}-byte limit`,
      }),
    ])
  })

  it('a file exactly at the limit is read', () => {
    const atLimit = `# ${'x'.repeat(registryFileLimitBytes - 3)}\n`
    expect(Buffer.byteLength(atLimit)).toBe(registryFileLimitBytes)
    const result = parseRegistrySources({ ...configSources(), 'modules.yml': atLimit })
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['AION_REGISTRY_FILE_EMPTY'])
  })

  it('an empty file, or one with only whitespace or comments', async () => {
    for (const text of ['', '  \n\n', '# nothing here\n']) {
      const dir = registryDir()
      writeFileSync(join(dir, 'policies.yml'), text)
      expect(await placesOf(dir)).toEqual(['policies.yml:1:1 AION_REGISTRY_FILE_EMPTY '])
    }
  })

  it('a file that is not UTF-8, at the first bad byte', async () => {
    const dir = registryDir()
    const latin1 = Buffer.concat([
      Buffer.from('tiers:\n  tier0:\n    local: [ollama:caf'),
      Buffer.from([0xe9]),
      Buffer.from(']\n'),
    ])
    writeFileSync(join(dir, 'models.yml'), latin1)
    expect(await issuesOf(dir)).toEqual([
      {
        code: 'AION_REGISTRY_NOT_UTF8',
        file: 'models.yml',
        line: 3,
        column: 23,
        path: '',
        message: 'file is not valid UTF-8 (first bad byte at offset 38)',
      },
    ])
  })

  it('a UTF-16 file is not UTF-8 either', async () => {
    const dir = registryDir()
    const text = readFileSync(join(dir, 'modules.yml'), 'utf8')
    writeFileSync(
      join(dir, 'modules.yml'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    )
    expect(await placesOf(dir)).toEqual(['modules.yml:1:1 AION_REGISTRY_NOT_UTF8 '])
  })

  it('a UTF-8 byte-order mark is accepted', async () => {
    const dir = registryDir()
    const text = readFileSync(join(dir, 'intents.yml'))
    writeFileSync(join(dir, 'intents.yml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]))
    expect((await loadRegistrySet(dir)).ok).toBe(true)
  })

  it('a missing file, and every other problem alongside it', async () => {
    const dir = registryDir()
    rmSync(join(dir, 'models.yml'))
    writeFileSync(join(dir, 'modules.yml'), '')
    expect(await placesOf(dir)).toEqual([
      'models.yml:-:- AION_REGISTRY_FILE_MISSING ',
      'modules.yml:1:1 AION_REGISTRY_FILE_EMPTY ',
    ])
  })

  it('both name.yml and name.yaml', async () => {
    const dir = registryDir()
    writeFileSync(join(dir, 'intents.yaml'), readFileSync(join(dir, 'intents.yml')))
    expect(await placesOf(dir)).toEqual(['intents.yml:-:- AION_REGISTRY_FILE_AMBIGUOUS '])
  })

  it('a file that cannot be read, without throwing', async () => {
    const dir = registryDir()
    rmSync(join(dir, 'policies.yml'))
    mkdirSync(join(dir, 'policies.yml'))
    const issues = await issuesOf(dir)
    expect(issues.map((i) => [i.file, i.code])).toEqual([
      ['policies.yml', 'AION_REGISTRY_UNREADABLE'],
    ])
    expect(issues[0]?.message).toMatch(/EISDIR/)
  })

  it('a directory that does not exist: each file is missing', async () => {
    expect(await placesOf(join(registryDir(), 'nope'))).toEqual([
      'intents.yml:-:- AION_REGISTRY_FILE_MISSING ',
      'policies.yml:-:- AION_REGISTRY_FILE_MISSING ',
      'models.yml:-:- AION_REGISTRY_FILE_MISSING ',
      'modules.yml:-:- AION_REGISTRY_FILE_MISSING ',
    ])
  })

  it('a directory path through a file, and sources that throw, without throwing', async () => {
    const dir = registryDir()
    const file = join(dir, 'intents.yml')
    const issues = await issuesOf(join(file, 'inside-a-file'))
    expect(issues.map((i) => i.code)).toEqual(Array(4).fill('AION_REGISTRY_FILE_MISSING'))
    const result = parseRegistrySources(
      new Proxy(
        {},
        {
          get() {
            throw new Error('storage went away')
          },
        },
      ),
    )
    expect(result.ok ? [] : result.issues.map((i) => [i.file, i.code])).toEqual([
      ['intents.yml', 'AION_REGISTRY_UNREADABLE'],
      ['policies.yml', 'AION_REGISTRY_UNREADABLE'],
      ['models.yml', 'AION_REGISTRY_UNREADABLE'],
      ['modules.yml', 'AION_REGISTRY_UNREADABLE'],
    ])
  })

  it('deeply nested YAML, refused before the parser can overflow its stack', () => {
    // Parsing ~1000 levels twice in one process used to abort Node; refusal must come first.
    const deep = [
      `${'['.repeat(1000)}${']'.repeat(1000)}`,
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      `${'- '.repeat(5000)}x`,
      Array.from({ length: 1400 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1',
    ]
    for (const text of deep) {
      const result = parseRegistrySources({ ...configSources(), 'intents.yml': `${text}\n` })
      expect(result.ok ? [] : result.issues.map((i) => [i.file, i.code])).toEqual([
        ['intents.yml', 'AION_REGISTRY_TOO_DEEP'],
      ])
    }
  })
})

function configSources(): Record<string, string> {
  const dir = registryDir()
  return Object.fromEntries(
    ['intents.yml', 'policies.yml', 'models.yml', 'modules.yml'].map((name) => [
      name,
      readFileSync(join(dir, name), 'utf8'),
    ]),
  )
}
