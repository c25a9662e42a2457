/**
 * OCI distribution against real registries (Debian's docker-registry,
 * distribution 2.8): push → pull round trips, anonymous, Basic and Bearer-token
 * auth, and every bad answer a registry can give — tampered blobs, a layer
 * announced at 2 GB, wrong media types, malformed manifests, 500s and stalls
 * (through a real proxy that injects them) — each with its stable code; and
 * the referrers fallback to the tag schema where the registry has no
 * referrers API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Secret } from '../../src/core/secret.js'
import {
  AIP_ARTIFACT_TYPE,
  AIP_LAYER,
  anonymous,
  dockerConfigCredentials,
  EMPTY_BLOB,
  EMPTY_CONFIG,
  fetchPackageArtifact,
  OCI_EMPTY,
  OCI_MANIFEST,
  OciClient,
  type OciClientOptions,
  packPackage,
  type PackedPackage,
  parseReference,
  pullPackage,
  pushPackage,
  referrersTag,
  settingsCredentials,
  withDigest,
  withTag,
} from '../../src/distribution/oci/index.js'
import { describeWithEngine } from '../support/engines.js'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js'
import {
  probeRegistry,
  startRegistry,
  stopRegistries,
  type TestRegistry,
} from '../support/registry.js'
import { startTokenService, type TokenService } from '../support/registry-token.js'
import { failureOf } from '../support/failure.js'

const ECHO = 'test/fixtures/modules/subprocess/echo'

describeWithEngine('docker-registry', probeRegistry(), () => {
  let open: TestRegistry
  let packed: PackedPackage
  let scratch: string
  const clients: OciClient[] = []
  const proxies: FaultProxy[] = []
  const client = (options: Partial<OciClientOptions> = {}) => {
    const made = new OciClient({ credentials: anonymous, ...options })
    clients.push(made)
    return made
  }
  const proxy = async (registry: TestRegistry) => {
    const made = await startFaultProxy(registry.host)
    proxies.push(made)
    return made
  }

  beforeAll(async () => {
    open = await startRegistry()
    packed = await packPackage(ECHO)
    scratch = mkdtempSync(join(tmpdir(), 'aion-oci-e2e-'))
  })

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()))
    await Promise.all(proxies.map((p) => p.stop()))
    await stopRegistries()
    rmSync(scratch, { recursive: true, force: true })
  })

  it('pushes a package and pulls it back byte for byte, as an AIP artifact of the agreed shape', async () => {
    const oci = client()
    const pushed = await pushPackage(oci, parseReference(`${open.host}/team/echo:1.0.0`), packed)
    expect(pushed.pinned).toBe(`${open.host}/team/echo@${pushed.descriptor.digest}`)
    const file = join(scratch, 'round-trip.tar.gz')
    const artifact = await pullPackage(oci, parseReference(`${open.host}/team/echo:1.0.0`), file)
    expect(readFileSync(file).equals(packed.bytes)).toBe(true)
    expect(artifact.descriptor.digest).toBe(pushed.descriptor.digest)
    expect(artifact.fileName).toBe('echo-1.0.0.aip.tar.gz')
    const { manifest } = await oci.fetchImageManifest(parseReference(pushed.pinned))
    expect(manifest).toMatchObject({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: AIP_ARTIFACT_TYPE,
      config: { mediaType: OCI_EMPTY, digest: EMPTY_BLOB.digest, size: 2 },
      layers: [
        {
          mediaType: AIP_LAYER,
          digest: packed.digest,
          size: packed.size,
          annotations: { 'org.opencontainers.image.title': 'echo-1.0.0.aip.tar.gz' },
        },
      ],
      annotations: { 'org.opencontainers.image.version': '1.0.0', 'dev.aionos.aip.name': 'echo' },
    })
    // The registry holds the empty config blob itself: `{}`.
    const config = await oci.fetchBlob(parseReference(pushed.pinned), EMPTY_CONFIG)
    expect(config.toString()).toBe('{}')
    // Reproducible: the same package pushed again is the same manifest; the tag resolves to it.
    const again = await pushPackage(oci, parseReference(`${open.host}/team/echo:again`), packed)
    expect(again.descriptor.digest).toBe(pushed.descriptor.digest)
    const resolved = await oci.resolve(parseReference(`${open.host}/team/echo:again`))
    expect(resolved?.digest).toBe(pushed.descriptor.digest)
    expect(await oci.resolve(parseReference(`${open.host}/team/echo:missing`))).toBeUndefined()
    expect((await oci.listTags(parseReference(`${open.host}/team/echo`))).sort()).toEqual([
      '1.0.0',
      'again',
    ])
  })

  it('uploads large blobs in PATCH chunks and skips blobs the registry already has', async () => {
    const oci = client({ chunkBytes: 1000 })
    const front = await proxy(open)
    const ref = parseReference(`${front.host}/chunks/blob:x`)
    const bytes = Buffer.alloc(4500, 0x5a)
    const descriptor = await oci.pushBlob(ref, bytes)
    expect(front.seen.filter((s) => s.startsWith('PATCH '))).toHaveLength(5)
    expect((await oci.fetchBlob(ref, descriptor)).equals(bytes)).toBe(true)
    front.seen.length = 0
    await oci.pushBlob(ref, bytes)
    expect(front.seen.map((s) => s.split(' ')[0])).toEqual(['HEAD'])
  })

  it('refuses a missing tag with AION_OCI_NOT_FOUND (not retryable)', async () => {
    const error = await failureOf(
      pullPackage(client(), parseReference(`${open.host}/team/echo:nope`), join(scratch, 'x')),
    )
    expect(error.code).toBe('AION_OCI_NOT_FOUND')
    expect(error.retryable).toBe(false)
  })

  it('detects a tampered layer in the registry storage: digest mismatch, nothing written', async () => {
    const oci = client()
    const ref = parseReference(`${open.host}/tamper/echo:1`)
    const pushed = await pushPackage(oci, ref, await packPackage(ECHO))
    const data = open.blobDataPath(packed.digest)
    const original = await readFile(data)
    try {
      const garbage = Buffer.from(original)
      const middle = garbage.length >> 1
      garbage.writeUInt8((garbage.readUInt8(middle) ^ 0xff) & 0xff, middle)
      await writeFile(data, garbage)
      const file = join(scratch, 'tampered.tar.gz')
      const error = await failureOf(pullPackage(oci, parseReference(pushed.pinned), file))
      expect(error.code).toBe('AION_OCI_DIGEST_MISMATCH')
      expect(error.retryable).toBe(false)
      expect(() => readFileSync(file)).toThrow()
      expect(() => readFileSync(`${file}.partial`)).toThrow()
      await writeFile(data, Buffer.concat([original, Buffer.from('tail')]))
      const longer = await failureOf(
        oci.fetchBlob(ref, { mediaType: AIP_LAYER, digest: packed.digest, size: packed.size }),
      )
      expect(longer.code).toBe('AION_OCI_SIZE_MISMATCH')
    } finally {
      await writeFile(data, original)
    }
  })

  it('refuses a manifest announcing a 2 GB layer before downloading any of it', async () => {
    const oci = client()
    const front = await proxy(open)
    const ref = parseReference(`${front.host}/huge/echo:2g`)
    await pushPackage(oci, ref, packed)
    const { manifest } = await oci.fetchImageManifest(ref)
    const layer = { ...(manifest.layers[0] as (typeof manifest.layers)[0]), size: 2_000_000_000 }
    await oci.pushManifest(ref, { ...manifest, layers: [layer] })
    front.seen.length = 0
    const error = await failureOf(pullPackage(oci, ref, join(scratch, 'huge.tar.gz')))
    expect(error.code).toBe('AION_OCI_BLOB_TOO_LARGE')
    expect(error.message).toContain('2000000000')
    expect(front.seen.some((s) => s.includes('/blobs/'))).toBe(false)
  })

  it('refuses artifacts of other media types: artifactType, layer type, a Docker manifest', async () => {
    const oci = client()
    const ref = parseReference(`${open.host}/types/thing:x`)
    await pushPackage(oci, ref, packed)
    const { manifest } = await oci.fetchImageManifest(ref)
    await oci.pushManifest(withTag(ref, 'other-artifact'), {
      ...manifest,
      artifactType: 'application/vnd.example.thing',
    })
    const layer = {
      ...(manifest.layers[0] as (typeof manifest.layers)[0]),
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    }
    const { artifactType: _drop, ...withoutType } = manifest
    await oci.pushManifest(withTag(ref, 'other-layer'), { ...manifest, layers: [layer] })
    await oci.pushManifest(withTag(ref, 'untyped'), withoutType)
    for (const tag of ['other-artifact', 'other-layer', 'untyped']) {
      const error = await failureOf(fetchPackageArtifact(oci, withTag(ref, tag)))
      expect(error.code, tag).toBe('AION_OCI_MEDIA_TYPE_UNSUPPORTED')
    }
    const docker = 'application/vnd.docker.distribution.manifest.v2+json'
    const config = await oci.pushBlob(
      ref,
      Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'),
      'application/vnd.docker.container.image.v1+json',
    )
    await oci.pushManifest(
      withTag(ref, 'docker'),
      {
        schemaVersion: 2,
        mediaType: docker,
        config,
        layers: [
          {
            mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
            digest: packed.digest,
            size: packed.size,
          },
        ],
      },
      docker,
    )
    const error = await failureOf(fetchPackageArtifact(oci, withTag(ref, 'docker')))
    expect(error.code).toBe('AION_OCI_MEDIA_TYPE_UNSUPPORTED')
  })

  it('refuses malformed manifests served by the registry', async () => {
    const front = await proxy(open)
    const oci = client()
    const ref = parseReference(`${front.host}/bad/echo:x`)
    const serve = (body: string) =>
      front.rules.splice(0, front.rules.length, {
        method: 'GET',
        path: /\/manifests\//,
        fault: {
          kind: 'body',
          status: 200,
          headers: { 'content-type': OCI_MANIFEST },
          body: Buffer.from(body),
        },
      })
    serve('{"schemaVersion":2,"mediaType":')
    expect((await failureOf(fetchPackageArtifact(oci, ref))).code).toBe('AION_OCI_MANIFEST_INVALID')
    serve(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: EMPTY_CONFIG,
        layers: {},
      }),
    )
    const shape = await failureOf(fetchPackageArtifact(oci, ref))
    expect(shape.code).toBe('AION_OCI_MANIFEST_INVALID')
    expect(shape.message).toContain('/layers must be an array')
    serve(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: EMPTY_CONFIG,
        layers: [{ mediaType: AIP_LAYER, digest: 'md5:abc', size: -1 }],
      }),
    )
    expect((await failureOf(fetchPackageArtifact(oci, ref))).code).toBe('AION_OCI_MANIFEST_INVALID')
    // By digest, a body with another digest is a mismatch.
    const pinned = withDigest(ref, packed.digest)
    expect((await failureOf(oci.fetchManifest(pinned))).code).toBe('AION_OCI_DIGEST_MISMATCH')
  })

  it('turns registry 500s, 429s and stalls into retryable failures', async () => {
    const front = await proxy(open)
    const oci = client({ timeoutMs: 400 })
    const ref = parseReference(`${front.host}/flaky/echo:1`)
    await pushPackage(client(), parseReference(`${open.host}/flaky/echo:1`), packed)
    front.rules.push({ path: /\/manifests\//, fault: { kind: 'status', status: 500 }, times: 1 })
    const five = await failureOf(pullPackage(oci, ref, join(scratch, 'flaky.tar.gz')))
    expect(five).toMatchObject({ code: 'AION_OCI_REGISTRY_UNAVAILABLE', retryable: true })
    front.rules.push({ path: /\/blobs\/uploads/, fault: { kind: 'status', status: 503 }, times: 1 })
    const upload = await failureOf(oci.pushBlob(ref, Buffer.from('new blob')))
    expect(upload).toMatchObject({ code: 'AION_OCI_REGISTRY_UNAVAILABLE', retryable: true })
    front.rules.push({ path: /\/manifests\//, fault: { kind: 'status', status: 429 }, times: 1 })
    expect((await failureOf(oci.fetchManifest(ref))).retryable).toBe(true)
    front.rules.push({ path: /\/manifests\//, fault: { kind: 'stall-headers' }, times: 1 })
    const stalled = await failureOf(oci.fetchManifest(ref))
    expect(stalled).toMatchObject({ code: 'AION_OCI_REGISTRY_TIMEOUT', retryable: true })
    front.rules.push({
      method: 'GET',
      path: /\/blobs\/sha256:/,
      fault: {
        kind: 'stall-body',
        headers: { 'content-length': String(packed.size) },
        sent: packed.bytes.subarray(0, 100),
      },
      times: 1,
    })
    const half = await failureOf(pullPackage(oci, ref, join(scratch, 'half.tar.gz')))
    expect(half).toMatchObject({ code: 'AION_OCI_REGISTRY_TIMEOUT', retryable: true })
    expect(() => readFileSync(join(scratch, 'half.tar.gz.partial'))).toThrow()
    // The rules are spent: the same pull now succeeds.
    await pullPackage(oci, ref, join(scratch, 'flaky.tar.gz'))
    expect(readFileSync(join(scratch, 'flaky.tar.gz')).equals(packed.bytes)).toBe(true)
  })

  it('finds no referrers API on distribution 2.8 and falls back to the sha256-<hex>.sig/.sbom tags', async () => {
    const oci = client()
    const ref = parseReference(`${open.host}/refs/echo:1`)
    const pushed = await pushPackage(oci, ref, packed)
    const subject = withDigest(ref, pushed.descriptor.digest)
    expect(await oci.referrers(subject)).toEqual({ supported: false })
    const payload = await oci.pushBlob(
      ref,
      Buffer.from('{"bomFormat":"CycloneDX"}'),
      'application/vnd.cyclonedx+json',
    )
    const sbom = await oci.pushManifest(
      withTag(ref, referrersTag(pushed.descriptor.digest, 'sbom')),
      {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.cyclonedx+json',
        config: EMPTY_CONFIG,
        layers: [payload],
        subject: pushed.descriptor,
      },
    )
    expect(sbom.subjectIndexed).toBe(false)
    const found = await oci.fetchImageManifest(
      withTag(ref, referrersTag(pushed.descriptor.digest, 'sbom')),
    )
    expect(found.manifest.subject?.digest).toBe(pushed.descriptor.digest)
    expect(found.descriptor.digest).toBe(sbom.descriptor.digest)
    expect(
      (await oci.fetchBlob(ref, found.manifest.layers[0] as typeof payload)).toString(),
    ).toContain('CycloneDX')
  })

  describe('with Basic auth (htpasswd)', () => {
    let locked: TestRegistry
    beforeAll(async () => {
      locked = await startRegistry({ kind: 'basic', users: { ci: 'right-password' } })
    })

    const login = (password: string) =>
      settingsCredentials([{ host: locked.host, username: 'ci', password: new Secret(password) }])

    it('pushes and pulls with the right password (from settings or a Docker config file)', async () => {
      const ref = parseReference(`${locked.host}/private/echo:1.0.0`)
      const pushed = await pushPackage(
        client({ credentials: login('right-password') }),
        ref,
        packed,
      )
      const config = join(scratch, 'docker-config.json')
      const auth = Buffer.from('ci:right-password').toString('base64')
      writeFileSync(config, JSON.stringify({ auths: { [`http://${locked.host}`]: { auth } } }))
      const viaFile = client({ credentials: dockerConfigCredentials(config) })
      const file = join(scratch, 'basic.tar.gz')
      const artifact = await pullPackage(viaFile, ref, file)
      expect(artifact.descriptor.digest).toBe(pushed.descriptor.digest)
      expect(readFileSync(file).equals(packed.bytes)).toBe(true)
    })

    it('answers AION_OCI_UNAUTHORIZED without credentials and with a wrong password', async () => {
      const ref = parseReference(`${locked.host}/private/echo:1.0.0`)
      const none = await failureOf(client().fetchManifest(ref))
      expect(none).toMatchObject({ code: 'AION_OCI_UNAUTHORIZED', retryable: false })
      expect(none.message).toContain('no credentials are configured')
      const wrong = await failureOf(
        pushPackage(client({ credentials: login('wrong') }), ref, packed),
      )
      expect(wrong).toMatchObject({ code: 'AION_OCI_UNAUTHORIZED', retryable: false })
      expect(wrong.message).toContain('refused the credentials')
    })
  })

  describe('with Bearer tokens (a token service)', () => {
    let tokens: TokenService
    let guarded: TestRegistry
    beforeAll(async () => {
      tokens = await startTokenService({
        users: { ci: 'token-pass' },
        publicRepositories: ['public/echo'],
      })
      guarded = await startRegistry({ kind: 'token', ...tokens })
    })
    afterAll(() => tokens.stop())

    const login = (password: string) =>
      settingsCredentials([{ host: guarded.host, username: 'ci', password: new Secret(password) }])

    it('pushes with a token for pull,push and pulls anonymously where allowed, one token per scope', async () => {
      const oci = client({ credentials: login('token-pass') })
      const ref = parseReference(`${guarded.host}/public/echo:1`)
      const pushed = await pushPackage(oci, ref, packed)
      expect(tokens.requests.filter((r) => r.user === 'ci')).toEqual([
        { user: 'ci', scope: 'repository:public/echo:pull' },
        { user: 'ci', scope: 'repository:public/echo:pull,push' },
      ])
      await pullPackage(oci, ref, join(scratch, 'bearer-1.tar.gz'))
      await pullPackage(oci, ref, join(scratch, 'bearer-2.tar.gz'))
      expect(tokens.requests.filter((r) => r.user === 'ci')).toHaveLength(2)
      const artifact = await pullPackage(client(), ref, join(scratch, 'bearer-anon.tar.gz'))
      expect(artifact.descriptor.digest).toBe(pushed.descriptor.digest)
      expect(readFileSync(join(scratch, 'bearer-anon.tar.gz')).equals(packed.bytes)).toBe(true)
      expect(
        tokens.requests.some((r) => r.user === '' && r.scope === 'repository:public/echo:pull'),
      ).toBe(true)
    })

    it('answers AION_OCI_UNAUTHORIZED for a wrong password and for anonymous pushes', async () => {
      const ref = parseReference(`${guarded.host}/private/echo:1`)
      const wrong = await failureOf(
        pushPackage(client({ credentials: login('nope') }), ref, packed),
      )
      expect(wrong).toMatchObject({ code: 'AION_OCI_UNAUTHORIZED', retryable: false })
      expect(wrong.message).toContain('refused the credentials of ci')
      const anonymousPush = await failureOf(pushPackage(client(), ref, packed))
      expect(anonymousPush.code).toBe('AION_OCI_UNAUTHORIZED')
    })
  })
})
