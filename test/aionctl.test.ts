/**
 * aionctl as an operator runs it: the package bin, in a child process, with
 * real files and a real SQLite store.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { aionctl, cleanUpProcesses, tempDir } from './support/server-process.js'

afterAll(cleanUpProcesses)

/** A copy of config/ with one independent mistake in each of three files. */
function configWithThreeMistakes(): string {
  const dir = tempDir()
  cpSync('config', dir, { recursive: true })
  const edit = (file: string, from: string | RegExp, to: string) => {
    const text = readFileSync(join(dir, file), 'utf8')
    const next = text.replace(from, to)
    expect(next).not.toBe(text)
    writeFileSync(join(dir, file), next)
  }
  edit('policies.yml', 'budget:\n', 'budget: [unclosed\n')
  edit('modules.yml', '    runtime: wasm\n', '    runtime: wasm\n    colour: blue\n')
  edit('intents.yml', 'tiers_allowed: [tier0, tier1]', 'tiers_allowed: [tier0, tier9]')
  return dir
}

describe('aionctl validate', () => {
  it('accepts the shipped config', () => {
    const { code, stdout } = aionctl(['validate', 'config'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/valid/)
  })

  it('lists all three independent mistakes with file and line, and exits 1', () => {
    const dir = configWithThreeMistakes()
    const { code, stderr } = aionctl(['validate', dir])
    expect(code).toBe(1)
    expect(stderr).toMatch(/policies\.yml:\d+:\d+.*AION_REGISTRY_YAML_SYNTAX/)
    expect(stderr).toMatch(/modules\.yml:\d+:\d+.*colour/)
    expect(stderr).toMatch(/intents\.yml:\d+:\d+.*tier9/)
  })

  it('speaks JSON to machines', () => {
    const dir = configWithThreeMistakes()
    const { code, stdout } = aionctl(['validate', dir, '--json'])
    expect(code).toBe(1)
    const body = JSON.parse(stdout) as {
      valid: boolean
      issues: { file: string; line: number; code: string }[]
    }
    expect(body.valid).toBe(false)
    expect(new Set(body.issues.map((issue) => issue.file))).toEqual(
      new Set(['policies.yml', 'modules.yml', 'intents.yml']),
    )
    for (const issue of body.issues) expect(issue.line).toBeGreaterThan(0)
  })

  it('reports a missing directory as errors, not a crash', () => {
    const { code, stderr } = aionctl(['validate', join(tempDir(), 'absent')])
    expect(code).toBe(1)
    expect(stderr).toMatch(/AION_REGISTRY_FILE_MISSING/)
  })
})

describe('aionctl migrate', () => {
  it('migrates the SQLite store once and records it', () => {
    const env = { AION_DATA_DIR: tempDir() }
    const first = aionctl(['migrate', '--json'], env)
    expect(first.code).toBe(0)
    const report = JSON.parse(first.stdout) as { engine: string; applied: string[] }
    expect(report.engine).toBe('sqlite')
    expect(report.applied.length).toBeGreaterThan(0)

    const second = aionctl(['migrate'], env)
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/up to date/)
  })

  it('refuses an unsupported database URL with a stable code', () => {
    const { code, stderr } = aionctl(['migrate'], {
      AION_DATA_DIR: tempDir(),
      AION_DATABASE_URL: 'mysql://root@localhost/aion',
    })
    expect(code).toBe(1)
    expect(stderr).toMatch(/AION_CONFIG_INVALID|AION_STORE_UNSUPPORTED_URL/)
  })
})

describe('aionctl help and version', () => {
  it.each([[[]], [['validate']], [['migrate']], [['version']]])('--help works on %j', (command) => {
    const { code, stdout } = aionctl([...command, '--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Usage: aionctl/m)
  })

  it('prints the package version', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    const { code, stdout } = aionctl(['version', '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ aionctl: version })
  })

  it('exits 2 on an unknown command', () => {
    const { code, stderr } = aionctl(['frobnicate'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/unknown command/)
  })
})
