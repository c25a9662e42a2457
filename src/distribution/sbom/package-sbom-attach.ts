/**
 * The SBOM of a package already in a registry, made from the package bytes
 * the registry serves (so it describes exactly what is installed from there)
 * and attached to the package's artifact manifest.
 */
import {
  fetchPackageArtifact,
  type OciClient,
  type OciReference,
  withDigest,
} from '../oci/index.js'
import { sbomOfArchive } from './archive-sbom.js'
import { attachSbom, type AttachedSbom } from './sbom-registry.js'

/** What {@link attachPackageSbom} attached. */
export interface AttachedPackageSbom extends AttachedSbom {
  readonly json: string
}

/** Pulls the package `ref` names, builds its SBOM and attaches it to the artifact manifest. */
export async function attachPackageSbom(
  client: OciClient,
  ref: OciReference,
  tool?: { readonly name: string; readonly version: string },
): Promise<AttachedPackageSbom> {
  const artifact = await fetchPackageArtifact(client, ref)
  const pinned = withDigest(ref, artifact.descriptor.digest)
  const archive = await client.fetchBlob(pinned, artifact.layer)
  const sbom = await sbomOfArchive(archive, tool)
  const attached = await attachSbom(client, pinned, sbom.json)
  return { ...attached, json: sbom.json }
}
