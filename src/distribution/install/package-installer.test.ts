/**
 * Installs against a real registry (Debian's docker-registry): a signed
 * package is stored, extracted and registered; every way verification or
 * validation can fail quarantines with its own code and leaves nothing in the
 * packages directory; a registry answering 500 or stalling fails retryably
 * with nothing written anywhere.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { create } from 'tar'
import { parse } from 'yaml'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { describeWithEngine } from '../../../test/support/engines.js'
import { startFaultProxy, type FaultProxy } from '../../../test/support/fault-proxy.js'
import {
  probeRegistry,
  startRegistry,
  stopRegistries,
  type TestRegistry,
} from '../../../test/support/registry.js'
import type { AipManifest } from '../../../contracts/generated/index.js'
import type { DistributionSettings } from '../../core/settings/index.js'
import { LocalDirectoryObjectStore } from '../../storage/local/index.js'
import { openStore, type Store } from '../../storage/index.js'
import {
  anonymous,
  OciClient,
  type OciReference,
  packPackage,
  type PackedPackage,
  parseReference,
  pushPackage,
  packedPackage,
  withTag,
} from '../oci/index.js'
import { attachPackageSbom } from '../sbom/index.js'
import { keyIdOf, publicKeyPem, signArtifact, signatureTag } from '../signing/index.js'
import { writeHostileWasmPackages } from '../../runtime/test-packages.fixture.js'
import { PackageInstaller } from './package-installer.js'

const ECHO = resolve('test/fixtures/modules/subprocess/echo')

/** A package archive made without the pack checks, so broken packages can be pushed. */
async function rawPackage(dir: string): Promise<PackedPackage> {
  const file = join(await mkdtemp(join(tmpdir(), 'aion-raw-')), 'p.tar.gz')
  const entries = await readdir(dir)
  await create({ gzip: true, cwd: dir, file, portable: true }, entries)
  const manifest = parse(await readFile(join(dir, 'aip.yaml'), 'utf8')) as AipManifest
  return packedPackage(await readFile(file), manifest)
}

describeWithEngine('docker-registry', probeRegistry(), () => {
  let registry: TestRegistry
  let client: OciClient
  let work: string
  let store: Store
  let objects: LocalDirectoryObjectStore
  let packagesDir: string
  let echo: PackedPackage
  let hostile: string
  const warnings: { fields: object; message: string }[] = []
  const signer = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  let distribution: DistributionSettings

  const installer = (overrides: Partial<DistributionSettings> = {}) =>
    new PackageInstaller({
      modules: store.modules,
      objects,
      packagesDir,
      distribution: { ...distribution, ...overrides },
      client: () => new OciClient({ credentials: anonymous, timeoutMs: 2000 }),
      logger: {
        info: () => undefined,
        warn: (fields, message) => warnings.push({ fields, message }),
      },
    })

  const push = async (repository: string, packed: PackedPackage, tag?: string) => {
    const ref = parseReference(
      `${registry.host}/${repository}:${tag ?? packed.manifest.metadata.version}`,
    )
    const pushed = await pushPackage(client, ref, packed)
    return { ref, digest: pushed.descriptor.digest }
  }
  const sign = (ref: OciReference, key: KeyObject = signer) => signArtifact(client, ref, key)
  const text = (ref: OciReference) => `${ref.registry}/${ref.repository}:${ref.tag ?? ''}`
  const packageFolders = async () => (await readdir(packagesDir)).filter((n) => !n.startsWith('.'))

  beforeAll(async () => {
    registry = await startRegistry()
    client = new OciClient({ credentials: anonymous })
    work = await mkdtemp(join(tmpdir(), 'aion-install-test-'))
    const keyFile = join(work, 'cosign.pub')
    await writeFile(keyFile, publicKeyPem(signer))
    distribution = {
      authFile: join(work, 'no-docker-config.json'),
      logins: [],
      insecureRegistries: [],
      maxBlobBytes: 64 * 1024 * 1024,
      timeoutMs: 2000,
      trustedKeys: [keyFile],
      allowUnsigned: false,
    }
    echo = await packPackage(ECHO)
    hostile = join(work, 'hostile')
    await writeHostileWasmPackages(hostile)
  })
  beforeEach(async () => {
    await store?.close()
    const dataDir = await mkdtemp(join(work, 'data-'))
    store = await openStore({ dataDir })
    await store.migrate()
    objects = new LocalDirectoryObjectStore(join(dataDir, 'objects'))
    packagesDir = join(dataDir, 'modules')
    warnings.length = 0
  })
  afterAll(async () => {
    await store?.close()
    await client?.close()
    await stopRegistries()
    await rm(work, { recursive: true, force: true })
  })

  it('installs a signed package: archive stored, extracted, registered with signer and SBOM', async () => {
    const { ref, digest } = await push('team/echo', echo)
    await sign(ref)
    const sbom = await attachPackageSbom(client, ref)
    const outcome = await installer().install(text(ref))
    expect(outcome).toMatchObject({
      status: 'installed',
      name: 'echo',
      version: '1.0.0',
      runtime: 'subprocess',
      digest,
      signerKeyId: keyIdOf(signer),
      sbomRef: `${registry.host}/team/echo@${sbom.manifestDigest}`,
      packageKey: `packages/sha256/${echo.digest.slice(7)}.tar.gz`,
      unsigned: false,
    })
    const stored = await objects.get(`packages/sha256/${echo.digest.slice(7)}.tar.gz`)
    expect(stored?.body.equals(echo.bytes)).toBe(true)
    expect(stored?.info.metadata).toMatchObject({ name: 'echo', 'manifest-digest': digest })
    expect(await readFile(join(packagesDir, 'echo', 'aip.yaml'), 'utf8')).toContain('name: echo')
    const row = await store.modules.get('default', 'echo', '1.0.0')
    expect(row).toMatchObject({
      status: 'installed',
      digest,
      signerKeyId: keyIdOf(signer),
      reason: null,
    })
    expect((row?.manifest as { metadata: { name: string } }).metadata.name).toBe('echo')
    expect(await packageFolders()).toEqual(['echo'])
    expect(warnings).toEqual([])
  })

  it('installs by digest and replaces the folder of an earlier install of the name', async () => {
    const { ref, digest } = await push('team/echo-pinned', echo)
    await sign(ref)
    await mkdir(packagesDir, { recursive: true })
    await cp(ECHO, join(packagesDir, 'old-echo-folder'), { recursive: true })
    const outcome = await installer().install(`${registry.host}/team/echo-pinned@${digest}`)
    expect(outcome).toMatchObject({ status: 'installed', digest, sbomRef: null })
    expect(await packageFolders()).toEqual(['echo'])
  })

  it('quarantines an unsigned package: kept with its reason, never extracted', async () => {
    const { ref, digest } = await push('team/unsigned', echo)
    const outcome = await installer().install(text(ref))
    expect(outcome).toMatchObject({
      status: 'quarantined',
      name: 'echo',
      version: '1.0.0',
      digest,
      reasonCode: 'AION_SIGNATURE_NOT_FOUND',
      recorded: true,
    })
    const prefix = `quarantine/echo/1.0.0/${digest.slice(7)}/`
    expect((await objects.list(prefix)).map((o) => o.key)).toEqual([
      `${prefix}manifest.json`,
      `${prefix}package.tar.gz`,
      `${prefix}reason.json`,
    ])
    const reason = JSON.parse((await objects.get(`${prefix}reason.json`))?.body.toString() ?? '{}')
    expect(reason).toMatchObject({ code: 'AION_SIGNATURE_NOT_FOUND', digest, name: 'echo' })
    const row = await store.modules.get('default', 'echo', '1.0.0')
    expect(row?.status).toBe('quarantined')
    expect(row?.reason).toMatch(/^AION_SIGNATURE_NOT_FOUND: /)
    expect(existsSync(packagesDir) ? await packageFolders() : []).toEqual([])
    expect(await objects.list('packages/')).toEqual([])
  })

  it('installs an unsigned package only with AION_ALLOW_UNSIGNED, warning every time', async () => {
    const { ref } = await push('team/unsigned-dev', echo)
    const outcome = await installer({ allowUnsigned: true }).install(text(ref))
    expect(outcome).toMatchObject({ status: 'installed', signerKeyId: null, unsigned: true })
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('AION_ALLOW_UNSIGNED: installing an UNSIGNED package'),
    ])
    await installer({ allowUnsigned: true, trustedKeys: [] }).install(text(ref))
    expect(warnings).toHaveLength(2)
  })

  it('quarantines a signature by an untrusted key, and one over another digest', async () => {
    const { ref: strange } = await push('team/stranger', echo)
    await sign(strange, stranger)
    expect(await installer().install(text(strange))).toMatchObject({
      status: 'quarantined',
      reasonCode: 'AION_SIGNATURE_UNTRUSTED',
    })
    // A genuine signature of one package copied to the signature tag of another.
    const { ref: signedRef, digest: signedDigest } = await push('team/moved', echo)
    await sign(signedRef)
    const other = await rawPackage(ECHO)
    const { ref: otherRef, digest: otherDigest } = await push('team/moved', other, '1.0.1')
    const sig = await client.fetchImageManifest(withTag(signedRef, signatureTag(signedDigest)))
    await client.pushManifest(withTag(otherRef, signatureTag(otherDigest)), sig.manifest)
    expect(await installer().install(text(otherRef))).toMatchObject({
      status: 'quarantined',
      digest: otherDigest,
      reasonCode: 'AION_SIGNATURE_DIGEST_MISMATCH',
    })
  })

  it('quarantines a tampered layer without keeping its bytes', async () => {
    const tampered = await rawPackage(ECHO)
    const { ref, digest } = await push('team/tampered', tampered)
    await sign(ref)
    await writeFile(registry.blobDataPath(tampered.digest), Buffer.alloc(tampered.size, 0x41))
    const outcome = await installer().install(text(ref))
    expect(outcome).toMatchObject({ status: 'quarantined', reasonCode: 'AION_OCI_DIGEST_MISMATCH' })
    const keys = (await objects.list('quarantine/')).map((o) => o.key)
    expect(keys).toEqual([
      `quarantine/echo/1.0.0/${digest.slice(7)}/manifest.json`,
      `quarantine/echo/1.0.0/${digest.slice(7)}/reason.json`,
    ])
    expect(existsSync(join(packagesDir, 'echo'))).toBe(false)
  })

  it('quarantines a signed package that fails the WASM load checks', async () => {
    const unbounded = await rawPackage(join(hostile, 'unbounded_memory'))
    const { ref } = await push('team/unbounded', unbounded)
    await sign(ref)
    const outcome = await installer().install(text(ref))
    expect(outcome).toMatchObject({
      status: 'quarantined',
      name: 'unbounded_memory',
      reasonCode: 'AION_MODULE_PACKAGE_INVALID',
      reason: expect.stringMatching(/maximum/),
    })
    const row = await store.modules.get(
      'default',
      'unbounded_memory',
      unbounded.manifest.metadata.version,
    )
    expect(row?.manifest).toMatchObject({ metadata: { name: 'unbounded_memory' } })
  })

  it('quarantines a package that is not the one its artifact announces', async () => {
    const impostor: PackedPackage = {
      ...echo,
      manifest: { ...echo.manifest, metadata: { ...echo.manifest.metadata, name: 'trusted_tool' } },
    }
    const { ref } = await push('team/impostor', impostor)
    await sign(ref)
    expect(await installer().install(text(ref))).toMatchObject({
      status: 'quarantined',
      name: 'echo',
      reasonCode: 'AION_MODULE_ARTIFACT_MISMATCH',
    })
  })

  it('keeps an installed row when a later artifact of the same version is quarantined', async () => {
    const { ref } = await push('team/kept', echo)
    await sign(ref)
    await installer().install(text(ref))
    const { ref: unsignedRef } = await push('team/kept-unsigned', echo)
    expect(await installer().install(text(unsignedRef))).toMatchObject({
      status: 'quarantined',
      recorded: false,
    })
    expect((await store.modules.get('default', 'echo', '1.0.0'))?.status).toBe('installed')
    expect(await packageFolders()).toEqual(['echo'])
  })

  it('refuses without trusted keys (and without the development flag) before any request', async () => {
    await expect(
      installer({ trustedKeys: [] }).install(`${registry.host}/team/echo:1.0.0`),
    ).rejects.toMatchObject({
      code: 'AION_SIGNATURE_NO_TRUSTED_KEYS',
    })
    await expect(installer().install(`${registry.host}/team/none:1.0.0`)).rejects.toMatchObject({
      code: 'AION_OCI_NOT_FOUND',
    })
    expect(await store.modules.list('default')).toEqual([])
  })

  describe('a registry outage', () => {
    let proxy: FaultProxy
    beforeAll(async () => {
      const { ref } = await push('team/outage', echo)
      await sign(ref)
      await attachPackageSbom(client, ref)
      proxy = await startFaultProxy(registry.host)
    })
    afterAll(async () => proxy?.stop())

    it.each([
      ['the archive blob', 'GET', /\/blobs\//],
      ['the signature lookup', 'HEAD', /\/manifests\/sha256-[a-f0-9]+\.sig$/],
      ['the SBOM lookup', 'HEAD', /\/manifests\/sha256-[a-f0-9]+\.sbom$/],
    ])('answering 500 on %s fails retryably and writes nothing', async (_what, method, path) => {
      proxy.rules.splice(0, proxy.rules.length, {
        method,
        path,
        fault: { kind: 'status', status: 500 },
      })
      const failure = await installer()
        .install(`${proxy.host}/team/outage:1.0.0`)
        .catch((e: unknown) => e)
      expect(failure).toMatchObject({ code: 'AION_OCI_REGISTRY_UNAVAILABLE', retryable: true })
      expect(await store.modules.list('default')).toEqual([])
      expect(await objects.list('')).toEqual([])
      expect(existsSync(packagesDir) ? await packageFolders() : []).toEqual([])
    })

    it('stalling fails retryably (timeout) and writes nothing', async () => {
      proxy.rules.splice(0, proxy.rules.length, {
        method: 'GET',
        path: /\/blobs\//,
        fault: { kind: 'stall-headers' },
      })
      const failure = await installer()
        .install(`${proxy.host}/team/outage:1.0.0`)
        .catch((e: unknown) => e)
      expect(failure).toMatchObject({ code: 'AION_OCI_REGISTRY_TIMEOUT', retryable: true })
      expect(await store.modules.list('default')).toEqual([])
      expect(await objects.list('')).toEqual([])
    })

    it('installs through the proxy once the registry answers again', async () => {
      proxy.rules.splice(0, proxy.rules.length)
      expect(await installer().install(`${proxy.host}/team/outage:1.0.0`)).toMatchObject({
        status: 'installed',
      })
    })
  })
})
