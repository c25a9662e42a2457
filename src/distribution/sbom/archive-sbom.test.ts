/**
 * SBOMs of real package archives (redact_pii: WASM with a data file; the echo
 * fixture: a subprocess executable), checked against the CycloneDX 1.6 schema
 * the library ships, and refusals of what is not a valid SBOM.
 */
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { create } from 'tar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sbomOfArchive } from './archive-sbom.js'
import { assertCycloneDx16 } from './sbom-schema.js'

interface Component {
  type: string
  name: string
  'bom-ref': string
  hashes: { alg: string; content: string }[]
  properties: { name: string; value: string }[]
}
interface Bom {
  specVersion: string
  serialNumber: string
  metadata: {
    component: Component & { version: string; purl: string; licenses: unknown[] }
    authors: { name: string }[]
    tools: { components: { name: string; version: string }[] }
  }
  components: Component[]
  dependencies: { ref: string; dependsOn?: string[] }[]
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const property = (component: Component, name: string) =>
  component.properties.filter((p) => p.name === name).map((p) => p.value)

let dir: string
const REDACT = resolve('modules/redact_pii')
const ECHO = resolve('test/fixtures/modules/subprocess/echo')
const FILES = [
  'aip.yaml',
  'build/redact_pii.wasm',
  'data/names.txt',
  'schemas/input.json',
  'schemas/output.json',
]

async function pack(cwd: string, name: string, entries: string[]): Promise<string> {
  const file = join(dir, name)
  await create({ gzip: true, file, cwd, portable: true }, entries)
  return file
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aion-sbom-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the SBOM of a WASM package', () => {
  it('names the package, hashes the archive and every file, and is valid CycloneDX 1.6', async () => {
    const archive = await pack(REDACT, 'redact.tar.gz', FILES)
    const sbom = await sbomOfArchive(archive, { name: 'aionctl', version: '9.9.9' })
    const bom = JSON.parse(sbom.json) as Bom
    expect(bom.specVersion).toBe('1.6')
    const app = bom.metadata.component
    expect(app).toMatchObject({
      type: 'application',
      name: 'redact_pii',
      version: '1.0.0',
      purl: 'pkg:generic/redact_pii@1.0.0',
      licenses: [{ expression: 'Apache-2.0' }],
    })
    expect(app.hashes).toEqual([{ alg: 'SHA-256', content: sha256(await readFile(archive)) }])
    expect(sbom.packageDigest).toBe(`sha256:${sha256(await readFile(archive))}`)
    expect(property(app, 'aionos:intent')).toEqual(['redact_pii'])
    expect(property(app, 'aionos:runtime')).toEqual(['wasm'])
    expect(bom.metadata.authors).toEqual([{ name: 'AION Core' }])
    expect(bom.metadata.tools.components).toEqual([
      expect.objectContaining({ name: 'aionctl', version: '9.9.9' }),
    ])

    expect(bom.components.map((c) => c.name)).toEqual(FILES)
    for (const component of bom.components) {
      expect(component.type).toBe('file')
      const bytes = await readFile(join(REDACT, component.name))
      expect(component.hashes).toEqual([{ alg: 'SHA-256', content: sha256(bytes) }])
    }
    const role = (name: string) =>
      property(
        bom.components.find((c) => c.name === name)!,
        'aionos:role',
      )
    expect(role('build/redact_pii.wasm')).toEqual(['module'])
    expect(role('data/names.txt')).toEqual(['data'])
    expect(role('schemas/input.json')).toEqual(['input-schema'])
    expect(bom.dependencies.find((d) => d.ref === app['bom-ref'])?.dependsOn).toHaveLength(
      FILES.length,
    )
    expect(() => assertCycloneDx16(bom)).not.toThrow()
  })

  it('is the same document for the same archive (no timestamp, serial number from the digest)', async () => {
    const archive = await pack(REDACT, 'again.tar.gz', FILES)
    const [first, second] = [await sbomOfArchive(archive), await sbomOfArchive(archive)]
    expect(first.json).toBe(second.json)
    expect(JSON.parse(first.json)).not.toHaveProperty('metadata.timestamp')
    expect((JSON.parse(first.json) as Bom).serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
  })
  it('is the same made from the archive bytes as from the archive file', async () => {
    const archive = await pack(REDACT, 'bytes.tar.gz', FILES)
    const fromBytes = await sbomOfArchive(await readFile(archive))
    expect(fromBytes.json).toBe((await sbomOfArchive(archive)).json)
    expect(fromBytes).toMatchObject({ name: 'redact_pii', version: '1.0.0' })
  })
})

describe('the SBOM of a subprocess package', () => {
  it('marks the executable as the module with its mode', async () => {
    const archive = await pack(ECHO, 'echo.tar', ['aip.yaml', 'run', 'schemas'])
    const bom = JSON.parse((await sbomOfArchive(archive)).json) as Bom
    const run = bom.components.find((c) => c.name === 'run')!
    expect(property(run, 'aionos:role')).toEqual(['module'])
    expect(property(run, 'aionos:mode')).toEqual(['0755'])
    expect(run.hashes[0]!.content).toBe(sha256(await readFile(join(ECHO, 'run'))))
  })
})

describe('what is not a valid SBOM', () => {
  it('an archive without aip.yaml → AION_SBOM_INVALID', async () => {
    const archive = await pack(REDACT, 'nomanifest.tar.gz', ['data/names.txt'])
    await expect(sbomOfArchive(archive)).rejects.toMatchObject({ code: 'AION_SBOM_INVALID' })
  })

  it('an invalid manifest → AION_SBOM_INVALID naming aip.yaml', async () => {
    const bad = join(dir, 'bad')
    await rm(bad, { recursive: true, force: true })
    await mkdir(bad)
    await writeFile(join(bad, 'aip.yaml'), 'apiVersion: aionos/v1\nkind: AgentPackage\n')
    const archive = await pack(bad, 'bad.tar', ['aip.yaml'])
    await expect(sbomOfArchive(archive)).rejects.toMatchObject({
      code: 'AION_SBOM_INVALID',
      fields: {
        violations: expect.arrayContaining([
          expect.objectContaining({ path: 'aip.yaml/metadata' }),
        ]),
      },
    })
  })

  it.each([
    ['another spec version', { bomFormat: 'CycloneDX', specVersion: '1.5' }],
    ['an unknown field', { bomFormat: 'CycloneDX', specVersion: '1.6', extra: true }],
    [
      'a hash that is not hex',
      {
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        components: [{ type: 'file', name: 'x', hashes: [{ alg: 'SHA-256', content: 'zz' }] }],
      },
    ],
  ])('%s → AION_SBOM_INVALID', (_name, document) => {
    expect(() => assertCycloneDx16(document)).toThrow(
      expect.objectContaining({ code: 'AION_SBOM_INVALID' }),
    )
  })
})
