/**
 * The SBOM of a packed package archive: digest of the archive, its files and
 * manifest read from the archive, the CycloneDX document built and checked
 * against the CycloneDX 1.6 schema before anyone sees it.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { parse } from 'yaml'
import type { AipManifest } from '../../../contracts/generated/index.js'
import { checkContract } from '../../core/contracts/contract-validator.js'
import { SbomInvalidError } from '../../core/errors/index.js'
import { readArchiveFiles } from './archive-files.js'
import { buildPackageSbom } from './package-sbom.js'
import { assertCycloneDx16 } from './sbom-schema.js'

/** An SBOM and what it describes. */
export interface ArchiveSbom {
  /** CycloneDX 1.6 JSON text. */
  readonly json: string
  /** Digest of the archive it describes, `sha256:<hex>`. */
  readonly packageDigest: string
  readonly name: string
  readonly version: string
}

/** Builds and validates the SBOM of a package archive (a file's path, or the archive's bytes). */
export async function sbomOfArchive(
  archive: string | Uint8Array,
  tool?: { readonly name: string; readonly version: string },
): Promise<ArchiveSbom> {
  const packageDigest =
    typeof archive === 'string'
      ? await fileDigest(archive)
      : `sha256:${createHash('sha256').update(archive).digest('hex')}`
  const { files, manifest: manifestBytes } = await readArchiveFiles(archive)
  let manifest: unknown
  try {
    manifest = parse(manifestBytes.toString('utf8'))
  } catch (error) {
    throw new SbomInvalidError(
      { violations: [{ path: '', message: 'aip.yaml is not YAML' }] },
      { cause: error },
    )
  }
  const violations = checkContract('aip-manifest', manifest)
  if (violations.length > 0) {
    throw new SbomInvalidError({
      violations: violations.map((v) => ({ ...v, path: `aip.yaml${v.path}` })),
    })
  }
  const aip = manifest as AipManifest
  const json = buildPackageSbom({
    manifest: aip,
    files,
    packageDigest,
    ...(tool ? { tool } : {}),
  })
  assertCycloneDx16(JSON.parse(json))
  return { json, packageDigest, name: aip.metadata.name, version: aip.metadata.version }
}

async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return `sha256:${hash.digest('hex')}`
}
