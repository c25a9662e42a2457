/**
 * The CycloneDX 1.6 SBOM of an AIP package, made with the CycloneDX library:
 * `metadata.component` is the package (an application named and versioned as
 * its manifest says, purl `pkg:generic/<name>@<version>`, the SHA-256 of the
 * packed archive), `components` are its files — the module, the schemas, the
 * manifest and every other (data) file — each with its SHA-256, and what the
 * manifest declares (authors, license, runtime, intents, permissions,
 * signature and SBOM references) rides along as properties and references.
 *
 * The document is reproducible: no timestamp, and a serial number derived from
 * the archive digest (UUIDv5), so the same package always has the same SBOM.
 */
import { createHash } from 'node:crypto'
import * as CDX from '@cyclonedx/cyclonedx-library'
import type { AipManifest } from '../../../contracts/generated/index.js'
import type { PackageFileDigest } from './archive-files.js'

/** The media type of a CycloneDX JSON document (and `artifactType` of its OCI referrer). */
export const CYCLONEDX_MEDIA_TYPE = 'application/vnd.cyclonedx+json'

/** Namespace of our serial numbers: UUIDv5 of the URL namespace and this name. */
const SERIAL_NAMESPACE = uuidV5Bytes(
  Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex'),
  'https://omertaos.dev/sbom',
)

/** What the SBOM is made from. */
export interface PackageSbomInput {
  readonly manifest: AipManifest
  readonly files: readonly PackageFileDigest[]
  /** Digest of the packed archive, `sha256:<hex>`. */
  readonly packageDigest: string
  /** The tool that made the SBOM (recorded in `metadata.tools`). */
  readonly tool?: { readonly name: string; readonly version: string }
}

/** The SBOM of a package as CycloneDX 1.6 JSON text (two-space indented). */
export function buildPackageSbom(input: PackageSbomInput): string {
  const { manifest, files } = input
  const { name, version } = manifest.metadata
  const purl = `pkg:generic/${name}@${version}`
  const sha256 = CDX.Enums.HashAlgorithm['SHA-256']
  const bom = new CDX.Models.Bom()
  bom.serialNumber = `urn:uuid:${uuidV5(SERIAL_NAMESPACE, input.packageDigest)}`

  const app = new CDX.Models.Component(CDX.Enums.ComponentType.Application, name, {
    version,
    purl,
    bomRef: purl,
  })
  app.hashes.set(sha256, input.packageDigest.replace(/^sha256:/, ''))
  app.licenses.add(new CDX.Models.LicenseExpression(manifest.metadata.license))
  for (const [key, value] of declaredProperties(manifest)) {
    app.properties.add(new CDX.Models.Property(key, value))
  }
  for (const [url, type, comment] of declaredReferences(manifest)) {
    app.externalReferences.add(new CDX.Models.ExternalReference(url, type, { comment }))
  }
  bom.metadata.component = app
  for (const author of manifest.metadata.authors) {
    bom.metadata.authors.add(new CDX.Models.OrganizationalContact({ name: author }))
  }
  if (input.tool) {
    bom.metadata.tools.components.add(
      new CDX.Models.Component(CDX.Enums.ComponentType.Application, input.tool.name, {
        version: input.tool.version,
      }),
    )
  }

  const roles = fileRoles(manifest)
  for (const file of files) {
    const component = new CDX.Models.Component(CDX.Enums.ComponentType.File, file.path, {
      bomRef: `${purl}#${file.path}`,
    })
    component.hashes.set(sha256, file.sha256)
    component.properties.add(new CDX.Models.Property('aionos:role', roles.get(file.path) ?? 'data'))
    component.properties.add(new CDX.Models.Property('aionos:size', String(file.size)))
    component.properties.add(
      new CDX.Models.Property('aionos:mode', `0${file.mode.toString(8).padStart(3, '0')}`),
    )
    bom.components.add(component)
    app.dependencies.add(component.bomRef)
  }
  const serializer = new CDX.Serialize.JsonSerializer(
    new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6),
  )
  return serializer.serialize(bom, { sortLists: true, space: 2 })
}

/** The role of each file the manifest names. */
function fileRoles(manifest: AipManifest): Map<string, string> {
  return new Map([
    ['aip.yaml', 'manifest'],
    [manifest.entrypoints.schema.input, 'input-schema'],
    [manifest.entrypoints.schema.output, 'output-schema'],
    [manifest.runtime.module, 'module'],
  ])
}

function declaredProperties(manifest: AipManifest): [string, string][] {
  const { runtime, permissions, policies } = manifest
  const network = permissions.network
  const properties: [string, string][] = [
    ['aionos:runtime', runtime.type],
    ['aionos:module', runtime.module],
    ['aionos:memory', runtime.resources.memory],
    ['aionos:filesystem', permissions.filesystem],
    ['aionos:timeout_ms', String(policies.timeout_ms)],
    ...manifest.intents.map((intent): [string, string] => ['aionos:intent', intent]),
    ...(permissions.secrets ?? []).map((s): [string, string] => ['aionos:secret', s]),
  ]
  if (typeof network === 'string') properties.push(['aionos:network', network])
  else {
    for (const host of network.allow) properties.push(['aionos:network-allow', host])
  }
  const gpu = runtime.resources.gpu
  if (gpu?.required) properties.push(['aionos:gpu', gpu.vendor])
  return properties
}

function declaredReferences(
  manifest: AipManifest,
): [string, CDX.Enums.ExternalReferenceType, string][] {
  const references: [string, CDX.Enums.ExternalReferenceType, string][] = []
  const cosign = manifest.metadata.signatures?.cosign
  if (cosign) {
    references.push([cosign, CDX.Enums.ExternalReferenceType.DigitalSignature, 'cosign signature'])
  }
  if (manifest.metadata.sbom) {
    references.push([manifest.metadata.sbom, CDX.Enums.ExternalReferenceType.BOM, 'declared SBOM'])
  }
  return references
}

/** An RFC 9562 version-5 (name-based, SHA-1) UUID of `name` in `namespace`, as text. */
function uuidV5(namespace: Buffer, name: string): string {
  const hex = uuidV5Bytes(namespace, name).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function uuidV5Bytes(namespace: Buffer, name: string): Buffer {
  const bytes = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  return Buffer.from(bytes)
}
