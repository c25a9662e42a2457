import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RegistryInvalidError } from '../errors/index.js'
import {
  brokenFixturesDir,
  configDir,
  registryDir,
  removeRegistryDirs,
} from './registry-dirs.fixture.js'
import {
  formatRegistryIssues,
  loadRegistrySet,
  parseRegistrySources,
  registryFileNames,
  type RegistryLoadResult,
  type RegistrySet,
} from './index.js'

afterAll(removeRegistryDirs)

function setOf(result: RegistryLoadResult): RegistrySet {
  if (!result.ok) throw new RegistryInvalidError({ issues: result.issues })
  return result.set
}

function sourcesOf(dir: string): Record<string, string> {
  return Object.fromEntries(
    registryFileNames.map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  )
}

describe('loadRegistrySet on config/', () => {
  it('loads the sample set with every file, defaults filled in', async () => {
    const set = setOf(await loadRegistrySet(configDir))
    expect(Object.keys(set.intents)).toEqual(
      expect.arrayContaining(['summarize', 'invoice_ocr', 'answer', 'extract', 'redact_pii']),
    )
    expect(set.intents.invoice_ocr).toMatchObject({
      privacy: 'local-only',
      tiers_allowed: ['tier0'],
    })
    expect(set.policies.budget).toEqual({ default_usd: 0.02, hard_cap_usd: 0.2 })
    expect(set.policies.routing.llm_router_timeout_ms).toBe(300)
    expect(set.policies.rate_limits).toEqual({
      per_credential_per_min: 60,
      burst: 120,
      per_ip_per_min: 120,
    })
    expect(set.models.tiers.tier0).toEqual({ local: ['ollama:qwen2.5', 'vllm:llama3.1'] })
    expect(set.models.models['openai:gpt-4.1-mini']).toMatchObject({
      provider: 'openai',
      price_per_1k_input_usd: 0.0004,
      price_per_1k_output_usd: 0.0016,
    })
    expect(set.modules.modules.map((m) => m.name)).toContain('summarize_text')
    expect(set.sources['intents.yml']).toBe(readFileSync(join(configDir, 'intents.yml'), 'utf8'))
    expect(set.contentHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('prices local models at zero and every tier entry has a model entry', async () => {
    const set = setOf(await loadRegistrySet(configDir))
    for (const [ref, model] of Object.entries(set.models.models)) {
      expect(ref.startsWith(`${model.provider}:`)).toBe(true)
      if (model.provider === 'ollama' || model.provider === 'vllm') {
        expect([model.price_per_1k_input_usd, model.price_per_1k_output_usd]).toEqual([0, 0])
      }
    }
    const refs = Object.values(set.models.tiers).flatMap((tier) => tier.local ?? tier.cloud)
    for (const ref of refs) expect(set.models.models[ref]).toBeDefined()
  })

  it('returns a deeply frozen set', async () => {
    const set = setOf(await loadRegistrySet(configDir))
    expect(Object.isFrozen(set.policies.budget)).toBe(true)
    expect(Object.isFrozen(set.modules.modules[0]?.intents)).toBe(true)
    expect(() => {
      ;(set.policies.budget as { hard_cap_usd: number }).hard_cap_usd = 100
    }).toThrow(TypeError)
  })

  it('accepts .yaml files and reports issues under that name', async () => {
    const dir = registryDir()
    renameSync(join(dir, 'models.yml'), join(dir, 'models.yaml'))
    expect((await loadRegistrySet(dir)).ok).toBe(true)
    writeFileSync(join(dir, 'models.yaml'), 'tiers: {}\nmodels: {}\nextra: 1\n')
    const result = await loadRegistrySet(dir)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues).toContainEqual(
        expect.objectContaining({ file: 'models.yaml', path: '/extra', line: 3, column: 1 }),
      )
    }
  })
})

describe('a copy of config/ with one mistake in each of three files', () => {
  it('lists all three, each with file, line, column and path', async () => {
    const result = await loadRegistrySet(join(brokenFixturesDir, 'three-mistakes'))
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues).toEqual([
      {
        code: 'AION_REGISTRY_DANGLING_REF',
        file: 'intents.yml',
        line: 33,
        column: 33,
        path: '/answer/tiers_allowed/2',
        message: 'tier "tier3" is not defined in models.yml',
      },
      expect.objectContaining({
        code: 'AION_REGISTRY_YAML_SYNTAX',
        file: 'policies.yml',
        line: 17,
        column: 1,
      }),
      {
        code: 'AION_REGISTRY_UNKNOWN_KEY',
        file: 'modules.yml',
        line: 20,
        column: 5,
        path: '/modules/1/retries',
        message: 'unknown key "retries"',
      },
    ])
    const lines = formatRegistryIssues(result.issues).split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toBe(
      'intents.yml:33:33  AION_REGISTRY_DANGLING_REF  /answer/tiers_allowed/2  tier "tier3" is not defined in models.yml',
    )
    expect(lines[2]).toBe(
      'modules.yml:20:5  AION_REGISTRY_UNKNOWN_KEY  /modules/1/retries  unknown key "retries"',
    )
  })
})

describe('all or nothing', () => {
  it('never returns a set when any one file has an issue', async () => {
    const sources = sourcesOf(configDir)
    for (const name of registryFileNames) {
      const broken = { ...sources, [name]: `${sources[name]}\nunexpected_key_xyz: 1\n` }
      const result = parseRegistrySources(broken)
      expect(result.ok, name).toBe(false)
      expect(result).not.toHaveProperty('set')
      if (!result.ok) expect(result.issues.map((i) => i.file)).toEqual([name])
    }
  })

  it('reports a missing file and still checks the other three', () => {
    const { ['modules.yml']: _dropped, ...rest } = sourcesOf(configDir)
    const withTypo = { ...rest, 'policies.yml': `${rest['policies.yml']}\ncolour: red\n` }
    const result = parseRegistrySources(withTypo)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues.map((i) => [i.file, i.code])).toEqual([
        ['policies.yml', 'AION_REGISTRY_UNKNOWN_KEY'],
        ['modules.yml', 'AION_REGISTRY_FILE_MISSING'],
      ])
    }
  })
})

describe('content hash', () => {
  it('is the same for the same texts, from a directory or from memory', async () => {
    const fromDir = setOf(await loadRegistrySet(configDir))
    const again = setOf(await loadRegistrySet(registryDir()))
    const fromMemory = setOf(parseRegistrySources(sourcesOf(configDir)))
    expect(again.contentHash).toBe(fromDir.contentHash)
    expect(fromMemory.contentHash).toBe(fromDir.contentHash)
    expect(setOf(parseRegistrySources(fromDir.sources)).contentHash).toBe(fromDir.contentHash)
  })

  it('changes when any file changes, even by a comment, and not when one is renamed .yaml', async () => {
    const base = setOf(await loadRegistrySet(configDir)).contentHash
    const hashes = new Set([base])
    for (const name of registryFileNames) {
      const dir = registryDir()
      writeFileSync(join(dir, name), `${readFileSync(join(dir, name), 'utf8')}# edited\n`)
      hashes.add(setOf(await loadRegistrySet(dir)).contentHash)
    }
    expect(hashes.size).toBe(1 + registryFileNames.length)
    const renamed = registryDir()
    renameSync(join(renamed, 'intents.yml'), join(renamed, 'intents.yaml'))
    expect(setOf(await loadRegistrySet(renamed)).contentHash).toBe(base)
  })

  it('cannot be fooled by moving text from one file to the next', () => {
    const sources = sourcesOf(configDir)
    const moved = {
      ...sources,
      'intents.yml': `${sources['intents.yml']}# tail`,
      'policies.yml': `\n${sources['policies.yml']}`,
    }
    const shifted = {
      ...sources,
      'intents.yml': `${sources['intents.yml']}# tail\n`,
      'policies.yml': sources['policies.yml'],
    }
    expect(setOf(parseRegistrySources(moved)).contentHash).not.toBe(
      setOf(parseRegistrySources(shifted)).contentHash,
    )
  })
})

describe('formatRegistryIssues', () => {
  it('joins files to the directory when given, and marks whole-file issues with /', () => {
    const issues = [
      {
        code: 'AION_REGISTRY_FILE_MISSING',
        file: 'models.yml',
        path: '',
        message: 'file is missing',
      },
      {
        code: 'AION_REGISTRY_UNKNOWN_KEY',
        file: 'intents.yml',
        line: 4,
        column: 3,
        path: '/summarize/colour',
        message: 'unknown key "colour"',
      },
    ]
    expect(formatRegistryIssues(issues, 'config').split('\n')).toEqual([
      `${join('config', 'models.yml')}  AION_REGISTRY_FILE_MISSING  /  file is missing`,
      `${join('config', 'intents.yml')}:4:3  AION_REGISTRY_UNKNOWN_KEY  /summarize/colour  unknown key "colour"`,
    ])
  })
})
