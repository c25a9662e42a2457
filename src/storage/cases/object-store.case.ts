/**
 * The shared cases every ObjectStore adapter must pass (the local directory
 * now, S3 later): each adapter's test file calls {@link objectStoreCases} with
 * a factory giving a fresh, empty store.
 */
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { expect, it } from 'vitest'
import type { ObjectStore } from '../ports/object-store.js'

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** Cases for the `ObjectStore` port. */
export function objectStoreCases(open: () => Promise<ObjectStore>): void {
  it('puts and gets bytes with their size, digest, content type and metadata', async () => {
    const store = await open()
    const body = Buffer.from('package bytes \u0000\u00ff', 'latin1')
    const info = await store.put('packages/sha256/abc.tar.gz', body, {
      contentType: 'application/gzip',
      metadata: { name: 'echo_words', version: '1.0.0' },
    })
    expect(info).toMatchObject({
      key: 'packages/sha256/abc.tar.gz',
      sizeBytes: body.length,
      digest: sha256(body),
      contentType: 'application/gzip',
      metadata: { name: 'echo_words', version: '1.0.0' },
    })
    expect(Date.parse(info.storedAt)).not.toBeNaN()
    const got = await store.get('packages/sha256/abc.tar.gz')
    expect(got?.body.equals(body)).toBe(true)
    expect(got?.info).toEqual(info)
    expect(await store.head('packages/sha256/abc.tar.gz')).toEqual(info)
    expect(await store.exists('packages/sha256/abc.tar.gz')).toBe(true)
  })

  it('answers undefined and false for a key it does not hold', async () => {
    const store = await open()
    await store.put('a/b', Buffer.from('x'))
    expect(await store.get('a/c')).toBeUndefined()
    expect(await store.head('a')).toBeUndefined()
    expect(await store.exists('a/b/c')).toBe(false)
    expect(await store.delete('a/c')).toBe(false)
  })

  it('defaults the content type and metadata, and stores an empty object', async () => {
    const store = await open()
    const info = await store.put('empty', new Uint8Array(0))
    expect(info).toMatchObject({
      sizeBytes: 0,
      contentType: 'application/octet-stream',
      metadata: {},
      digest: sha256(new Uint8Array(0)),
    })
    expect((await store.get('empty'))?.body.length).toBe(0)
  })

  it('streams a put from an async iterable and hashes every chunk', async () => {
    const store = await open()
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(64 * 1024, i))
    const info = await store.put('big/blob', Readable.from(chunks))
    const all = Buffer.concat(chunks)
    expect(info.sizeBytes).toBe(all.length)
    expect(info.digest).toBe(sha256(all))
    expect((await store.get('big/blob'))?.body.equals(all)).toBe(true)
  })

  it('replaces an object whole, keeps a key and a longer key apart', async () => {
    const store = await open()
    await store.put('q/item', Buffer.from('old, longer content'))
    await store.put('q/item/reason.json', Buffer.from('{"code":"X"}'))
    const info = await store.put('q/item', Buffer.from('new'), { metadata: { round: '2' } })
    expect((await store.get('q/item'))?.body.toString()).toBe('new')
    expect(await store.head('q/item')).toEqual(info)
    expect((await store.get('q/item/reason.json'))?.body.toString()).toBe('{"code":"X"}')
  })

  it('refuses bytes that do not have the expected digest and stores nothing', async () => {
    const store = await open()
    const body = Buffer.from('tampered')
    const expected = sha256(Buffer.from('original'))
    await expect(
      store.put('packages/x.tar.gz', body, { expectedDigest: expected }),
    ).rejects.toMatchObject({
      code: 'AION_OBJECT_DIGEST_MISMATCH',
      fields: { expectedDigest: expected, digest: sha256(body) },
    })
    expect(await store.exists('packages/x.tar.gz')).toBe(false)
    const ok = await store.put('packages/x.tar.gz', body, { expectedDigest: sha256(body) })
    expect(ok.digest).toBe(sha256(body))
  })

  it('lists by prefix, sorted by key, across folders', async () => {
    const store = await open()
    for (const key of ['p/b/2', 'p/a', 'p/b/1', 'pz', 'q/1', 'p/ab']) {
      await store.put(key, Buffer.from(key))
    }
    const keys = async (prefix: string) => (await store.list(prefix)).map((i) => i.key)
    expect(await keys('p/')).toEqual(['p/a', 'p/ab', 'p/b/1', 'p/b/2'])
    expect(await keys('p/a')).toEqual(['p/a', 'p/ab'])
    expect(await keys('p')).toEqual(['p/a', 'p/ab', 'p/b/1', 'p/b/2', 'pz'])
    expect(await keys('nothing/')).toEqual([])
    expect((await store.list('q/')).map((i) => i.sizeBytes)).toEqual([3])
  })

  it('deletes an object and only that object', async () => {
    const store = await open()
    await store.put('d/1', Buffer.from('1'))
    await store.put('d/1/2', Buffer.from('2'))
    expect(await store.delete('d/1')).toBe(true)
    expect(await store.exists('d/1')).toBe(false)
    expect(await store.exists('d/1/2')).toBe(true)
    expect((await store.list('d/')).map((i) => i.key)).toEqual(['d/1/2'])
  })

  it.each([
    ['', 'is empty'],
    ['/abs', 'empty segment'],
    ['a//b', 'empty segment'],
    ['a/', 'empty segment'],
    ['a/../b', '.. segment'],
    ['./a', '. segment'],
    ['a b', 'character'],
    ['a~', 'character'],
    ['x'.repeat(1025), 'over 1024'],
  ])('refuses the key %j (%s)', async (key, detail) => {
    const store = await open()
    await expect(store.put(key, Buffer.from('x'))).rejects.toMatchObject({
      code: 'AION_OBJECT_KEY_INVALID',
      message: expect.stringContaining(detail),
    })
    await expect(store.get(key)).rejects.toMatchObject({ code: 'AION_OBJECT_KEY_INVALID' })
  })

  it('refuses metadata no engine could keep', async () => {
    const store = await open()
    const put = (metadata: Record<string, string>) => store.put('m', Buffer.from('x'), { metadata })
    await expect(put({ 'Upper-Case': 'x' })).rejects.toMatchObject({
      code: 'AION_OBJECT_METADATA_INVALID',
    })
    await expect(put({ name: 'caf\u00e9' })).rejects.toMatchObject({
      code: 'AION_OBJECT_METADATA_INVALID',
    })
    await expect(put({ big: 'x'.repeat(2100) })).rejects.toMatchObject({
      code: 'AION_OBJECT_METADATA_INVALID',
    })
    expect(await store.exists('m')).toBe(false)
  })
}
