/**
 * Tag listing (with `Link` pagination) and the referrers API, with detection
 * of registries that lack it (they answer 404, which the spec forbids to one
 * that has it).
 */
import { OciManifestInvalidError, OciReferenceInvalidError } from '../../core/errors/index.js'
import { readText } from './auth.js'
import { type Descriptor, parseManifest } from './manifest.js'
import { MANIFEST_MAX_BYTES, readBounded } from './manifests.js'
import { OCI_INDEX } from './media-types.js'
import { formatReference, type OciReference } from './reference.js'
import { header, issue, type RegistryTransport } from './transport.js'

/** Every tag of the repository (following `Link` pagination). */
export async function listTags(transport: RegistryTransport, ref: OciReference): Promise<string[]> {
  const tags: string[] = []
  let path: string | undefined = `/v2/${ref.repository}/tags/list?n=1000`
  for (let page = 0; path !== undefined && page < 1000; page++) {
    const response = await transport.send({ ref, method: 'GET', path, what: 'tag list' })
    const text = await readText(response, MANIFEST_MAX_BYTES)
    let json: { tags?: unknown }
    try {
      json = JSON.parse(text) as { tags?: unknown }
    } catch {
      throw new OciManifestInvalidError(issue(ref, 'tag list is not JSON'))
    }
    if (json.tags !== null && json.tags !== undefined) {
      if (!Array.isArray(json.tags) || json.tags.some((t) => typeof t !== 'string')) {
        throw new OciManifestInvalidError(issue(ref, 'tag list `tags` is not an array of strings'))
      }
      tags.push(...(json.tags as string[]))
    }
    const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(response, 'link') ?? '')
    path = next?.[1]
  }
  return tags
}

/** The referrers of a manifest, or that the registry has no referrers API. */
export type Referrers =
  | { readonly supported: true; readonly manifests: readonly Descriptor[] }
  | { readonly supported: false }

/**
 * What refers to the manifest at `ref.digest` (`GET /v2/<name>/referrers/<digest>`),
 * filtered by `artifactType` when given. A registry without the API answers 404
 * (the spec forbids 404 to one that has it): `{ supported: false }`, and the
 * caller falls back to the tag schema ({@link referrersTag}).
 */
export async function fetchReferrers(
  transport: RegistryTransport,
  ref: OciReference,
  artifactType?: string,
): Promise<Referrers> {
  if (ref.digest === undefined) {
    throw new OciReferenceInvalidError({
      reference: formatReference(ref),
      detail: 'referrers need an @digest',
    })
  }
  const query =
    artifactType === undefined ? '' : `?artifactType=${encodeURIComponent(artifactType)}`
  const what = `referrers of ${ref.digest}`
  const response = await transport.send({
    ref,
    method: 'GET',
    path: `/v2/${ref.repository}/referrers/${ref.digest}${query}`,
    headers: { accept: OCI_INDEX },
    what,
    accept: [404],
  })
  if (response.status === 404) {
    await response.body.dump()
    return { supported: false }
  }
  const bytes = await readBounded(ref, what, response)
  const parsed = parseManifest(bytes, OCI_INDEX, ref)
  if (parsed.kind !== 'index')
    throw new OciManifestInvalidError(issue(ref, `${what}: not an index`))
  const manifests = parsed.index.manifests.filter(
    (d) => artifactType === undefined || d.artifactType === artifactType,
  )
  return { supported: true, manifests }
}
