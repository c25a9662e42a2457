import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { list, type ReadEntry } from 'tar'
import { afterAll, describe, expect, it } from 'vitest'
import type { PackageProblem } from '../aip/aip-package.js'
import { sha256Digest } from './manifest.js'
import { packPackage } from './pack.js'

const ECHO = 'test/fixtures/modules/subprocess/echo'
const root = mkdtempSync(join(tmpdir(), 'aion-pack-test-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function copyOfEcho(name: string): string {
  const dir = join(root, name)
  cpSync(ECHO, dir, { recursive: true })
  return dir
}

async function entries(bytes: Buffer): Promise<ReadEntry[]> {
  const file = join(root, `list-${Math.random().toString(36).slice(2)}.tar.gz`)
  writeFileSync(file, bytes)
  const found: ReadEntry[] = []
  await list({ file, onReadEntry: (entry) => found.push(entry) })
  return found
}

describe('packPackage', () => {
  it('packs the same content to the same bytes, whatever the times, modes and owners', async () => {
    const first = await packPackage(copyOfEcho('first'))
    const again = await packPackage(copyOfEcho('first-again'))
    expect(again.bytes.equals(first.bytes)).toBe(true)
    const other = copyOfEcho('other')
    utimesSync(join(other, 'aip.yaml'), new Date('2001-02-03'), new Date('2001-02-03'))
    utimesSync(join(other, 'schemas'), new Date('2020-01-01'), new Date('2020-01-01'))
    chmodSync(join(other, 'aip.yaml'), 0o600)
    chmodSync(join(other, 'schemas', 'input.json'), 0o664)
    chmodSync(join(other, 'run'), 0o705)
    if (process.getuid?.() === 0) chownSync(join(other, 'run'), 1234, 4321)
    const packed = await packPackage(other)
    expect(packed.bytes.equals(first.bytes)).toBe(true)
    expect(packed.digest).toBe(first.digest)
    expect(packed.digest).toBe(sha256Digest(packed.bytes))
    expect(packed.fileName).toBe('echo-1.0.0.aip.tar.gz')
    expect(packed.manifest.metadata.name).toBe('echo')
  })

  it('writes sorted entries with mtime 0, uid/gid 0, no names, 0644/0755 modes and a bare gzip header', async () => {
    const { bytes } = await packPackage(copyOfEcho('headers'))
    // gzip: no FNAME/FCOMMENT flags, MTIME zero.
    expect(bytes[3]).toBe(0)
    expect(bytes.readUInt32LE(4)).toBe(0)
    const found = await entries(bytes)
    expect(found.map((e) => e.path)).toEqual([
      'aip.yaml',
      'run',
      'schemas/',
      'schemas/input.json',
      'schemas/output.json',
    ])
    for (const entry of found) {
      expect(entry.mtime?.getTime(), entry.path).toBe(0)
      expect([entry.uid, entry.gid, entry.uname ?? '', entry.gname ?? ''], entry.path).toEqual([
        0,
        0,
        '',
        '',
      ])
    }
    const modes = Object.fromEntries(found.map((e) => [e.path, (e.mode ?? 0) & 0o7777]))
    expect(modes).toEqual({
      'aip.yaml': 0o644,
      run: 0o755,
      'schemas/': 0o755,
      'schemas/input.json': 0o644,
      'schemas/output.json': 0o644,
    })
    expect(gunzipSync(bytes).length % 512).toBe(0)
  })

  it('keeps long paths (pax) and packs an archive of itself to the same bytes', async () => {
    const dir = copyOfEcho('long')
    const deep = join(dir, 'data', 'd'.repeat(60))
    mkdirSync(deep, { recursive: true })
    writeFileSync(join(deep, `${'f'.repeat(120)}.txt`), 'long')
    const packed = await packPackage(dir)
    const paths = (await entries(packed.bytes)).map((e) => e.path)
    expect(paths).toContain(`data/${'d'.repeat(60)}/${'f'.repeat(120)}.txt`)
    const archive = join(root, 'long.tar.gz')
    writeFileSync(archive, packed.bytes)
    expect((await packPackage(archive)).bytes.equals(packed.bytes)).toBe(true)
  })

  it('refuses an invalid package with every problem and AION_OCI_PACK_REFUSED', async () => {
    const dir = copyOfEcho('broken')
    rmSync(join(dir, 'schemas', 'output.json'))
    writeFileSync(join(dir, 'schemas', 'input.json'), '{ nope')
    const problems: PackageProblem[] = []
    await expect(packPackage(dir, { onProblem: (p) => problems.push(p) })).rejects.toMatchObject({
      code: 'AION_OCI_PACK_REFUSED',
    })
    expect(problems.map((p) => p.file).sort()).toEqual([
      'schemas/input.json',
      'schemas/output.json',
    ])
  })
})
