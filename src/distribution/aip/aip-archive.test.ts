/**
 * Package archives: each hostile entry is refused with its own code before
 * anything is written (archives are built byte by byte here, so they can hold
 * what tar tools refuse to write), and a clean archive of a real package loads.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { create, Header, type HeaderData } from 'tar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkPackageArchive,
  extractPackageArchive,
  DEFAULT_ARCHIVE_LIMITS,
} from './aip-archive.js'
import { checkPackage, loadPackage } from './aip-package.js'

type Entry = Partial<HeaderData> & { path: string; body?: string }

/** A tar archive of the given entries, headers as written (no normalising). */
function tarOf(entries: readonly Entry[]): Buffer {
  const blocks: Buffer[] = []
  for (const { body = '', ...data } of entries) {
    const content = Buffer.from(body)
    const header = new Header({
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      type: 'File',
      ...data,
      size: data.size ?? content.length,
    })
    header.encode()
    blocks.push(header.block as Buffer, content, Buffer.alloc((512 - (content.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return Buffer.concat(blocks)
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aion-archive-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function archive(name: string, entries: readonly Entry[], gzip = false): Promise<string> {
  const file = join(dir, name)
  const tar = tarOf(entries)
  await writeFile(file, gzip ? gzipSync(tar) : tar)
  return file
}

async function codesOf(file: string, limits = DEFAULT_ARCHIVE_LIMITS) {
  return (await checkPackageArchive(file, limits)).map((p) => [p.code, p.fields.entry])
}

describe('checkPackageArchive refuses', () => {
  it('absolute paths', async () => {
    const file = await archive('abs.tar', [{ path: '/etc/cron.d/evil', body: 'x' }])
    expect(await codesOf(file)).toEqual([['AION_MODULE_ARCHIVE_ABSOLUTE_PATH', '/etc/cron.d/evil']])
  })

  it('paths climbing out with ..', async () => {
    const file = await archive('dotdot.tgz', [{ path: 'pkg/../../escape.sh', body: 'x' }], true)
    expect(await codesOf(file)).toEqual([
      ['AION_MODULE_ARCHIVE_PARENT_PATH', 'pkg/../../escape.sh'],
    ])
  })

  it('symlinks and hard links pointing outside, but not links that stay inside', async () => {
    const file = await archive('links.tar', [
      { path: 'data/passwd', type: 'SymbolicLink', linkpath: '/etc/passwd' },
      { path: 'data/up', type: 'SymbolicLink', linkpath: '../../outside' },
      { path: 'data/hard', type: 'Link', linkpath: '../host-file' },
      { path: 'data/ok', type: 'SymbolicLink', linkpath: '../aip.yaml' },
    ])
    expect(await codesOf(file)).toEqual([
      ['AION_MODULE_ARCHIVE_LINK_OUTSIDE', 'data/passwd'],
      ['AION_MODULE_ARCHIVE_LINK_OUTSIDE', 'data/up'],
      ['AION_MODULE_ARCHIVE_LINK_OUTSIDE', 'data/hard'],
    ])
  })

  it('device files and FIFOs', async () => {
    const file = await archive('devices.tar', [
      { path: 'dev/sda', type: 'BlockDevice', devmaj: 8, devmin: 0 },
      { path: 'dev/mem', type: 'CharacterDevice', devmaj: 1, devmin: 1 },
      { path: 'dev/pipe', type: 'FIFO' },
    ])
    expect((await codesOf(file)).map(([code]) => code)).toEqual([
      'AION_MODULE_ARCHIVE_SPECIAL_FILE',
      'AION_MODULE_ARCHIVE_SPECIAL_FILE',
      'AION_MODULE_ARCHIVE_SPECIAL_FILE',
    ])
  })

  it('setuid and setgid files', async () => {
    const file = await archive('setuid.tar', [
      { path: 'bin/root-shell', mode: 0o4755, body: '#!/bin/sh\n' },
      { path: 'bin/group-shell', mode: 0o2755, body: '#!/bin/sh\n' },
    ])
    expect(await codesOf(file)).toEqual([
      ['AION_MODULE_ARCHIVE_SETUID', 'bin/root-shell'],
      ['AION_MODULE_ARCHIVE_SETUID', 'bin/group-shell'],
    ])
  })

  it('an oversized entry, too many entries, and too many bytes in all', async () => {
    const file = await archive('big.tar', [
      { path: 'a', body: 'x'.repeat(600) },
      { path: 'b', body: 'x'.repeat(100) },
      { path: 'c', body: 'x'.repeat(100) },
    ])
    const limits = { maxEntries: 2, maxEntryBytes: 512, maxTotalBytes: 700 }
    expect(await codesOf(file, limits)).toEqual([
      ['AION_MODULE_ARCHIVE_ENTRY_TOO_LARGE', 'a'],
      ['AION_MODULE_ARCHIVE_TOO_MANY_ENTRIES', ''],
      ['AION_MODULE_ARCHIVE_TOO_LARGE', ''],
    ])
  })

  it('files that are not tar archives, and empty ones', async () => {
    const garbage = join(dir, 'garbage.tar.gz')
    await writeFile(garbage, 'this is not gzip at all')
    expect((await codesOf(garbage)).map(([code]) => code)).toEqual([
      'AION_MODULE_ARCHIVE_UNREADABLE',
    ])
    const empty = await archive('empty.tar', [])
    expect(await codesOf(empty)).toEqual([['AION_MODULE_ARCHIVE_UNREADABLE', '']])
  })

  it('and extraction refuses too, writing nothing', async () => {
    const file = await archive('abs2.tar', [
      { path: 'ok.txt', body: 'x' },
      { path: '/tmp/owned', body: 'x' },
    ])
    const dest = await mkdtemp(join(dir, 'dest-'))
    await expect(extractPackageArchive(file, dest)).rejects.toMatchObject({
      code: 'AION_MODULE_ARCHIVE_ABSOLUTE_PATH',
    })
    expect(await readdir(dest)).toEqual([])
  })
})

describe('a clean archive of a package', () => {
  it('passes every check and loads as its directory would', async () => {
    const file = join(dir, 'echo.tgz')
    await create({ gzip: true, file, cwd: resolve('test/fixtures/modules/subprocess/echo') }, ['.'])
    expect(await checkPackageArchive(file)).toEqual([])
    expect(await checkPackage(file)).toMatchObject({
      problems: [],
      manifest: { metadata: { name: 'echo' } },
    })
    const pkg = await loadPackage(file)
    try {
      expect(pkg.runtime).toBe('subprocess')
      expect(pkg.descriptor.name).toBe('echo')
    } finally {
      await rm(pkg.dir, { recursive: true, force: true })
    }
  })

  it('reports the package problems of an archive whose entries are fine', async () => {
    const file = await archive('no-manifest.tar', [{ path: 'README', body: 'no aip.yaml here' }])
    const { problems } = await checkPackage(file)
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'AION_MODULE_PACKAGE_INVALID',
        file: 'aip.yaml',
        rule: 'exists',
      }),
    ])
  })
})
