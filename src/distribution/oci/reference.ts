/**
 * OCI references: `[http://|https://]host[:port]/repository[:tag][@sha256:<hex>]`.
 * The registry must be explicit (a host with a dot or a port, `localhost`, or an
 * IP address): there is no implicit Docker Hub, so a reference never reaches a
 * registry the operator did not name. A scheme prefix is only a request; the
 * client decides (see {@link registryScheme}).
 */
import { OciReferenceInvalidError } from '../../core/errors/index.js'

/** A parsed reference. */
export interface OciReference {
  /** `host[:port]`, lower-cased (IPv6 in brackets). */
  readonly registry: string
  /** Repository path, e.g. `team/summarize_text`. */
  readonly repository: string
  readonly tag?: string
  /** `sha256:<64 hex>`. */
  readonly digest?: string
  /** The scheme the reference asked for, when it had a prefix. */
  readonly scheme?: 'http' | 'https'
}

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*'
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`)
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
/** A SHA-256 digest, the only algorithm the client accepts. */
export const DIGEST = /^sha256:[a-f0-9]{64}$/
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/

function invalid(reference: string, detail: string): never {
  throw new OciReferenceInvalidError({ reference, detail })
}

/** Parses `text`; throws AION_OCI_REFERENCE_INVALID saying what is wrong. */
export function parseReference(text: string): OciReference {
  let rest = text.trim()
  let scheme: 'http' | 'https' | undefined
  const prefix = /^(https?):\/\//i.exec(rest)
  if (prefix) {
    scheme = (prefix[1] as string).toLowerCase() as 'http' | 'https'
    rest = rest.slice(prefix[0].length)
  }
  const slash = rest.indexOf('/')
  if (slash <= 0) invalid(text, 'needs a registry host and a repository (host[:port]/repository)')
  const host = rest.slice(0, slash)
  if (!HOST.test(host)) invalid(text, `${JSON.stringify(host)} is not host[:port]`)
  if (!/[.:[]/.test(host) && host.toLowerCase() !== 'localhost') {
    invalid(text, `${JSON.stringify(host)} is no registry host (name one with a dot or a port)`)
  }
  let path = rest.slice(slash + 1)
  let digest: string | undefined
  const at = path.indexOf('@')
  if (at >= 0) {
    digest = path.slice(at + 1)
    path = path.slice(0, at)
    if (!DIGEST.test(digest))
      invalid(text, `digest ${JSON.stringify(digest)} is not sha256:<64 hex>`)
  }
  let tag: string | undefined
  const colon = path.lastIndexOf(':')
  if (colon > path.lastIndexOf('/')) {
    tag = path.slice(colon + 1)
    path = path.slice(0, colon)
    if (!TAG.test(tag)) invalid(text, `tag ${JSON.stringify(tag)} is not a valid tag`)
  }
  if (!REPOSITORY.test(path)) {
    invalid(text, `repository ${JSON.stringify(path)} must be lower-case path components`)
  }
  if (path.length + host.length + 1 > 255) invalid(text, 'is longer than 255 characters')
  return {
    registry: host.toLowerCase(),
    repository: path,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
    ...(scheme === undefined ? {} : { scheme }),
  }
}

/** `registry/repository[:tag][@digest]` (without a scheme). */
export function formatReference(ref: OciReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag === undefined ? '' : `:${ref.tag}`}${
    ref.digest === undefined ? '' : `@${ref.digest}`
  }`
}

/** The same repository at `digest` (no tag). */
export function withDigest(ref: OciReference, digest: string): OciReference {
  const { tag: _tag, ...rest } = ref
  return { ...rest, digest }
}

/** The same repository at `tag` (no digest). */
export function withTag(ref: OciReference, tag: string): OciReference {
  if (!TAG.test(tag))
    invalid(`${formatReference(ref)}:${tag}`, `tag ${JSON.stringify(tag)} is not a valid tag`)
  const { digest: _digest, ...rest } = ref
  return { ...rest, tag }
}

/**
 * The fallback tag of what refers to `digest` where a registry has no
 * referrers API: `sha256-<hex>` (the OCI 1.1 referrers tag schema), with a
 * suffix `sha256-<hex>.<suffix>` as cosign writes signatures (`sig`) and
 * SBOMs (`sbom`).
 */
export function referrersTag(digest: string, suffix?: string): string {
  if (!DIGEST.test(digest)) invalid(digest, 'is not sha256:<64 hex>')
  const tag = digest.replace(':', '-')
  return suffix === undefined ? tag : `${tag}.${suffix}`
}

/** Whether `registry` (`host[:port]`) is a loopback address or `localhost`. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(1, registry.indexOf(']'))
    : (registry.split(':')[0] as string)
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}
