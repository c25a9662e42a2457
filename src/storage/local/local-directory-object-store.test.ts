import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { objectStoreCases } from '../cases/object-store.case.js'
import { LocalDirectoryObjectStore } from './local-directory-object-store.js'

const roots: string[] = []
function freshRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'aion-objects-'))
  roots.push(root)
  return join(root, 'objects')
}
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

describe('LocalDirectoryObjectStore', () => {
  objectStoreCases(async () => new LocalDirectoryObjectStore(freshRoot()))

  it('keeps each object in one file at its key, header first, and no temporary file', async () => {
    const root = freshRoot()
    const store = new LocalDirectoryObjectStore(root)
    await store.put('packages/sha256/ab.tar.gz', Buffer.from('tarball'))
    const file = readFileSync(join(root, 'packages', 'sha256', 'ab.tar.gz~'))
    expect(file.length).toBe(4096 + 'tarball'.length)
    expect(JSON.parse(file.subarray(0, 4096).toString())).toMatchObject({
      key: 'packages/sha256/ab.tar.gz',
    })
    expect(file.subarray(4096).toString()).toBe('tarball')
    expect(readdirSync(join(root, '~tmp'))).toEqual([])
  })

  it('leaves nothing behind when the body fails half-way', async () => {
    const root = freshRoot()
    const store = new LocalDirectoryObjectStore(root)
    await store.put('k', Buffer.from('old'))
    async function* failing() {
      yield Buffer.from('part of the new bytes')
      throw new Error('connection reset')
    }
    await expect(store.put('k', failing())).rejects.toMatchObject({
      code: 'AION_OBJECT_STORE_UNAVAILABLE',
      retryable: true,
    })
    expect((await store.get('k'))?.body.toString()).toBe('old')
    expect(readdirSync(join(root, '~tmp'))).toEqual([])
  })

  it('reports an unusable root as unavailable (retryable)', async () => {
    const parent = freshRoot()
    await new LocalDirectoryObjectStore(parent).put('file', Buffer.from('x'))
    // A root below a regular file can never be made.
    const store = new LocalDirectoryObjectStore(join(parent, 'file~', 'objects'))
    await expect(store.put('k', Buffer.from('x'))).rejects.toMatchObject({
      code: 'AION_OBJECT_STORE_UNAVAILABLE',
    })
    expect(await store.list('')).toEqual([])
  })
})
