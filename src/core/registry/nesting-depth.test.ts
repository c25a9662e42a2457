import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nestingDepth, registryMaxDepth } from './nesting-depth.js'
import { configDir } from './registry-dirs.fixture.js'

const blockChain = (levels: number): string =>
  Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n'

describe('nestingDepth', () => {
  it('keeps the sample registries well inside the limit', () => {
    for (const name of ['intents.yml', 'policies.yml', 'models.yml', 'modules.yml']) {
      const depth = nestingDepth(readFileSync(join(configDir, name), 'utf8'))
      expect(depth, name).toBeGreaterThan(1)
      expect(depth, name).toBeLessThan(10)
    }
  })

  it('counts block mappings, sequences and flow brackets', () => {
    expect(nestingDepth('a: 1\n')).toBe(1)
    expect(nestingDepth(blockChain(5))).toBe(5)
    expect(nestingDepth('- - - x\n')).toBe(4)
    expect(nestingDepth('a: [[1], {b: [2]}]\n')).toBe(4)
    expect(nestingDepth('a:\n  - [\n    [1,\n     2]]\n')).toBe(4)
  })

  it('ignores brackets in quotes and comments, but not after an apostrophe in a word', () => {
    expect(nestingDepth(`a: "[[[[\\"[[["\nb: '[[[['\n# [[[[[\n`)).toBe(1)
    expect(nestingDepth(`a: don't\nb: [[[[x]]]]\n`)).toBe(5)
  })

  it('reaches past the limit for deep flow, block and dash nesting', () => {
    const limit = registryMaxDepth
    expect(nestingDepth(`${'['.repeat(limit + 1)}${']'.repeat(limit + 1)}`)).toBeGreaterThan(limit)
    expect(nestingDepth(blockChain(limit + 1))).toBeGreaterThan(limit)
    expect(nestingDepth(`${'- '.repeat(limit + 1)}x`)).toBeGreaterThan(limit)
  })
})
