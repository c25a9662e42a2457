/**
 * SBOMs in a real registry (Debian's docker-registry, distribution 2.8, which
 * has no referrers API): attached with `subject` and at `sha256-<hex>.sbom`,
 * fetched back byte for byte; a registry that lists the SBOM through the
 * referrers API (a real proxy answering that one route) is read that way.
 */
import { resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithEngine } from '../../../test/support/engines.js'
import { startFaultProxy, type FaultProxy } from '../../../test/support/fault-proxy.js'
import {
  probeRegistry,
  startRegistry,
  stopRegistries,
  type TestRegistry,
} from '../../../test/support/registry.js'
import {
  anonymous,
  EMPTY_BLOB,
  OCI_EMPTY,
  OCI_INDEX,
  OciClient,
  type OciReference,
  packPackage,
  type PackedPackage,
  parseReference,
  pushPackage,
  referrersTag,
  withDigest,
  withTag,
} from '../oci/index.js'
import { sbomOfArchive } from './archive-sbom.js'
import { CYCLONEDX_MEDIA_TYPE } from './package-sbom.js'
import { attachPackageSbom } from './package-sbom-attach.js'
import { attachSbom, fetchSbom } from './sbom-registry.js'
import { failureOf } from '../../../test/support/failure.js'

describeWithEngine('docker-registry', probeRegistry(), () => {
  let registry: TestRegistry
  let proxy: FaultProxy | undefined
  let client: OciClient
  let packed: PackedPackage
  const push = async (repository: string): Promise<OciReference> => {
    const ref = parseReference(`${registry.host}/${repository}:1.0.0`)
    await pushPackage(client, ref, packed)
    return ref
  }

  beforeAll(async () => {
    registry = await startRegistry()
    client = new OciClient({ credentials: anonymous })
    packed = await packPackage(resolve('modules/redact_pii'))
  })
  afterAll(async () => {
    await client?.close()
    await proxy?.stop()
    await stopRegistries()
  })

  it('attaches the SBOM of the pushed package at sha256-<hex>.sbom with subject, and fetches it back', async () => {
    const ref = await push('team/redact')
    const subject = (await client.resolve(ref))!
    const attached = await attachPackageSbom(client, ref, { name: 'test', version: '1' })
    expect(attached).toMatchObject({ subject: subject.digest, via: 'tag' })
    // Made from the bytes the registry serves: the same as from the packed archive.
    expect(attached.json).toBe(
      (await sbomOfArchive(packed.bytes, { name: 'test', version: '1' })).json,
    )
    const bom = JSON.parse(attached.json) as {
      metadata: { component: { hashes: { content: string }[] } }
    }
    expect(`sha256:${bom.metadata.component.hashes[0]!.content}`).toBe(packed.digest)

    expect(await client.listTags(ref)).toContain(referrersTag(subject.digest, 'sbom'))
    const stored = await client.fetchImageManifest(
      withTag(ref, referrersTag(subject.digest, 'sbom')),
    )
    expect(stored.descriptor.digest).toBe(attached.manifestDigest)
    expect(stored.manifest).toMatchObject({
      artifactType: CYCLONEDX_MEDIA_TYPE,
      config: { mediaType: OCI_EMPTY, digest: EMPTY_BLOB.digest },
      layers: [{ mediaType: CYCLONEDX_MEDIA_TYPE }],
      subject: { digest: subject.digest, size: subject.size, mediaType: subject.mediaType },
    })

    const fetched = await fetchSbom(client, ref)
    expect(fetched).toMatchObject({
      via: 'tag',
      subject: subject.digest,
      manifestDigest: attached.manifestDigest,
    })
    expect(fetched.json).toBe(attached.json)
    expect((await fetchSbom(client, withDigest(ref, subject.digest))).json).toBe(attached.json)
  })

  it('reads the SBOM through the referrers API where the registry lists it', async () => {
    const ref = await push('team/referred')
    const attached = await attachPackageSbom(client, ref)
    const index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: attached.manifestDigest,
          size: (await client.resolve(withDigest(ref, attached.manifestDigest)))!.size,
          artifactType: CYCLONEDX_MEDIA_TYPE,
        },
      ],
    }
    proxy = await startFaultProxy(registry.host)
    proxy.rules.push({
      method: 'GET',
      path: /\/referrers\//,
      fault: {
        kind: 'body',
        status: 200,
        headers: { 'content-type': OCI_INDEX },
        body: Buffer.from(JSON.stringify(index)),
      },
    })
    const viaProxy = withTag({ ...ref, registry: proxy.host }, '1.0.0')
    const fetched = await fetchSbom(client, viaProxy)
    expect(fetched).toMatchObject({ via: 'referrers', manifestDigest: attached.manifestDigest })
    expect(fetched.json).toBe(attached.json)
    expect(proxy.seen.some((line) => line.includes('/referrers/'))).toBe(true)
  })

  it('a package without an SBOM: AION_SBOM_NOT_FOUND', async () => {
    const ref = await push('team/bare')
    expect((await failureOf(fetchSbom(client, ref))).code).toBe('AION_SBOM_NOT_FOUND')
  })

  it('refuses to attach what is not CycloneDX 1.6, and pushes nothing', async () => {
    const ref = await push('team/refused')
    const tags = await client.listTags(ref)
    const json = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.4' })
    expect((await failureOf(attachSbom(client, ref, json))).code).toBe('AION_SBOM_INVALID')
    expect((await failureOf(attachSbom(client, ref, '{'))).code).toBe('AION_SBOM_INVALID')
    expect(await client.listTags(ref)).toEqual(tags)
  })
})
