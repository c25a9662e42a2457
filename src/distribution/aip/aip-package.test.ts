/**
 * Package directories of the subprocess runtime: the entrypoint must be an
 * executable regular file inside the package; the tree may hold no setuid
 * file, no link leaving it, no device; checkPackage reports every problem at
 * once; loadPackages sorts packages by runtime and quarantines the bad ones.
 */
import { chmod, cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkPackage, loadPackage, loadPackages } from './aip-package.js'

const ECHO = resolve('test/fixtures/modules/subprocess/echo')

let root: string
let pkg: string
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'aion-pkg-'))
  pkg = join(root, 'echo')
  await cp(ECHO, pkg, { recursive: true })
})
afterEach(() => rm(root, { recursive: true, force: true }))

/** The [file, rule] of every problem of the package. */
async function problemsOf(dir: string) {
  return (await checkPackage(dir)).problems.map((p) => [p.file, p.path, p.rule])
}

describe('subprocess packages', () => {
  it('load with their entrypoint resolved inside the package', async () => {
    const loaded = await loadPackage(pkg)
    expect(loaded.runtime).toBe('subprocess')
    expect(loaded.runtime === 'subprocess' && loaded.entrypoint).toBe(join(pkg, 'run'))
    expect(loaded.descriptor).toMatchObject({
      name: 'echo',
      runtime: 'subprocess',
      timeoutMs: 5000,
    })
    expect(await problemsOf(pkg)).toEqual([])
  })

  it('refuse an entrypoint the sandbox user cannot execute', async () => {
    await chmod(join(pkg, 'run'), 0o700)
    expect(await problemsOf(pkg)).toEqual([['run', '', 'executable']])
    await expect(loadPackage(pkg)).rejects.toMatchObject({ code: 'AION_MODULE_PACKAGE_INVALID' })
  })

  it('refuse a missing entrypoint, and one that is a directory', async () => {
    await rm(join(pkg, 'run'))
    expect(await problemsOf(pkg)).toEqual([['run', '', 'exists']])
    await cp(join(pkg, 'schemas'), join(pkg, 'run'), { recursive: true })
    expect(await problemsOf(pkg)).toEqual(expect.arrayContaining([['run', '', 'exists']]))
  })

  it('refuse an entrypoint that is a link leading outside the package', async () => {
    await writeFile(join(root, 'outside.sh'), '#!/bin/sh\n', { mode: 0o755 })
    await rm(join(pkg, 'run'))
    await symlink(join(root, 'outside.sh'), join(pkg, 'run'))
    expect(await problemsOf(pkg)).toEqual([
      ['.', 'run', 'link'],
      ['run', '', 'package_path'],
    ])
  })

  it('refuse a setuid file anywhere in the package', async () => {
    await writeFile(join(pkg, 'helper'), '#!/bin/sh\n')
    await chmod(join(pkg, 'helper'), 0o4755)
    expect(await problemsOf(pkg)).toEqual([['.', 'helper', 'setuid']])
  })

  it('report every problem at once', async () => {
    await chmod(join(pkg, 'run'), 0o644)
    await rm(join(pkg, 'schemas/input.json'))
    await writeFile(join(pkg, 'schemas/output.json'), '{ not json')
    await symlink('/etc/passwd', join(pkg, 'passwd'))
    expect(await problemsOf(pkg)).toEqual([
      ['.', 'passwd', 'link'],
      ['schemas/input.json', '', 'exists'],
      ['schemas/output.json', '', 'json'],
      ['run', '', 'executable'],
    ])
  })

  it('stop at a manifest that fails its contract, reporting its violations', async () => {
    await writeFile(join(pkg, 'aip.yaml'), 'apiVersion: aionos/v1\nkind: AgentPackage\n')
    const { manifest, problems } = await checkPackage(pkg)
    expect(manifest).toBeUndefined()
    expect(problems.length).toBeGreaterThan(0)
    expect(
      problems.every((p) => p.file === 'aip.yaml' && p.code === 'AION_MODULE_PACKAGE_INVALID'),
    ).toBe(true)
  })
})

describe('loadPackages', () => {
  it('sorts packages by runtime, quarantines the bad, and skips runtimes not asked for', async () => {
    await cp(ECHO, join(root, 'broken'), { recursive: true })
    await writeFile(
      join(root, 'broken/aip.yaml'),
      (await readFile(join(ECHO, 'aip.yaml'), 'utf8')).replace('name: echo', 'name: broken'),
    )
    await chmod(join(root, 'broken/run'), 0o600)
    const all = await loadPackages(root)
    expect(all.loaded).toEqual([])
    expect(all.subprocess.map((p) => p.descriptor.name)).toEqual(['echo'])
    expect(all.quarantined.map((q) => [q.dir, q.error.code])).toEqual([
      [join(root, 'broken'), 'AION_MODULE_PACKAGE_INVALID'],
    ])
    const wasmOnly = await loadPackages(root, { runtimes: ['wasm'] })
    expect(wasmOnly).toEqual({ loaded: [], subprocess: [], quarantined: [] })
  })
})
