/**
 * The build in `dist/` (made by the test runner's setup, scripts/build.mjs):
 * it mirrors the source tree, so the worker threads' files, the contract
 * schemas and the proto files are found next to the compiled code as they are
 * next to the sources; and it is current.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { codeIsCurrent, distDir, root } from '../scripts/build.mjs'

function files(tree: string): string[] {
  return readdirSync(join(root, tree), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
}

describe('the build in dist/', () => {
  const sources = [...files('src'), ...files('contracts')].filter(
    (file) => !/\.(test|fixture)\.ts$/.test(file),
  )

  it('is current', () => {
    expect(codeIsCurrent()).toBe(true)
  })

  it('compiles every TypeScript file and copies every other file unchanged', () => {
    expect(sources.filter((file) => file.endsWith('.js')).length).toBeGreaterThan(3)
    for (const file of sources) {
      if (file.endsWith('.ts')) {
        expect(existsSync(join(distDir, file.replace(/\.ts$/, '.js'))), file).toBe(true)
      } else {
        expect(readFileSync(join(distDir, file)), file).toEqual(readFileSync(join(root, file)))
      }
    }
  })

  it('holds no test code', () => {
    const built = files('dist/src')
    expect(built.filter((file) => /\.(test|fixture)\.js$/.test(file))).toEqual([])
  })

  it('finds the contract schemas from the compiled contracts module', async () => {
    const compiled = (await import(join(distDir, 'contracts', 'index.js'))) as {
      readContractSchemas(): { name: string }[]
    }
    const names = compiled.readContractSchemas().map((schema) => schema.name)
    expect(names).toContain('task-request')
  })
})
