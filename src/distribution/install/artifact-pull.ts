/**
 * The network half of an install: everything that talks to the registry runs
 * here, before anything is written, so an outage (thrown, retryable) leaves
 * nothing behind. It fetches the artifact manifest (digest-checked), checks it
 * is an AIP package artifact, downloads the archive into a work directory
 * (size-limited, digest-verified), verifies the cosign signature against the
 * trusted keys — pinned to the manifest digest just pulled, so a tag moved
 * meanwhile cannot swap the content — and looks for an attached SBOM. A
 * verification failure is returned as `rejected` with what was pulled so far,
 * for the quarantine; anything else that is not the artifact's fault (no such
 * reference, credentials, configuration) is thrown.
 */
import { join } from 'node:path'
import { AionError } from '../../core/errors/index.js'
import {
  fetchPackageArtifact,
  formatReference,
  type ImageManifest,
  type OciClient,
  type OciReference,
  type PackageArtifact,
  withDigest,
} from '../oci/index.js'
import { fetchSbom } from '../sbom/index.js'
import { type TrustedKey, verifyArtifact } from '../signing/index.js'
import type { InstallLogger } from './install-types.js'

/** What was pulled of an artifact, as far as it got. */
export interface PulledParts {
  /** The manifest's digest, once its bytes were read. */
  readonly digest?: string
  readonly manifestBytes?: Buffer
  readonly manifest?: ImageManifest
  /** The verified archive on disk, once downloaded. */
  readonly archiveFile?: string
  readonly artifact?: PackageArtifact
}

/** An artifact that verified: its archive, signer and SBOM. */
export interface VerifiedPull extends PulledParts {
  readonly kind: 'verified'
  readonly digest: string
  readonly manifestBytes: Buffer
  readonly manifest: ImageManifest
  readonly archiveFile: string
  readonly artifact: PackageArtifact
  /** Null for an unsigned development install. */
  readonly signerKeyId: string | null
  readonly sbomRef: string | null
}

/** An artifact that failed a check, with what was pulled of it. */
export interface RejectedPull extends PulledParts {
  readonly kind: 'rejected'
  readonly error: AionError
}

/** What the pull needs beyond the client. */
export interface PullContext {
  readonly client: OciClient
  readonly ref: OciReference
  /** An empty directory the archive is written into. */
  readonly workDir: string
  readonly trustedKeys: readonly TrustedKey[]
  readonly allowUnsigned: boolean
  readonly logger: InstallLogger
}

const ARTIFACT_FAULTS = new Set([
  'AION_OCI_DIGEST_MISMATCH',
  'AION_OCI_SIZE_MISMATCH',
  'AION_OCI_BLOB_TOO_LARGE',
  'AION_OCI_MANIFEST_INVALID',
  'AION_OCI_MEDIA_TYPE_UNSUPPORTED',
])

/**
 * Whether `error` says the artifact itself is bad (quarantine), rather than
 * the registry being down (retry) or the request being wrong (refuse).
 */
export function isArtifactFault(error: unknown): error is AionError {
  if (!(error instanceof AionError) || error.retryable) return false
  if (error.code === 'AION_SIGNATURE_NO_TRUSTED_KEYS') return false
  return ARTIFACT_FAULTS.has(error.code) || error.code.startsWith('AION_SIGNATURE_')
}

/** Runs `step`; an artifact fault becomes a rejection carrying `parts`, anything else is thrown. */
async function step<T>(
  parts: PulledParts,
  run: () => Promise<T>,
): Promise<{ ok: T } | { rejected: RejectedPull }> {
  try {
    return { ok: await run() }
  } catch (error) {
    if (!isArtifactFault(error)) throw error
    return { rejected: { ...parts, kind: 'rejected', error } }
  }
}

/** Pulls and verifies the artifact `ctx.ref` names; see the module comment. */
export async function pullArtifact(ctx: PullContext): Promise<VerifiedPull | RejectedPull> {
  const { client, ref } = ctx
  const fetched = await step({}, () => client.fetchManifest(ref))
  if ('rejected' in fetched) return fetched.rejected
  const digest = fetched.ok.descriptor.digest
  const manifestBytes = fetched.ok.bytes
  const manifest = fetched.ok.parsed.kind === 'manifest' ? fetched.ok.parsed.manifest : undefined
  let parts: PulledParts = { digest, manifestBytes, ...(manifest ? { manifest } : {}) }
  const pinned = withDigest(ref, digest)
  const artifact = await step(parts, () => fetchPackageArtifact(client, pinned))
  if ('rejected' in artifact) return artifact.rejected
  parts = { ...parts, artifact: artifact.ok }
  const archiveFile = join(ctx.workDir, 'package.tar.gz')
  const pulled = await step(parts, () =>
    client.fetchBlobToFile(pinned, artifact.ok.layer, archiveFile),
  )
  if ('rejected' in pulled) return pulled.rejected
  parts = { ...parts, archiveFile }
  const signed = await step(parts, () => verifySignature(ctx, pinned))
  if ('rejected' in signed) return signed.rejected
  return {
    ...parts,
    kind: 'verified',
    digest,
    manifestBytes,
    manifest: artifact.ok.manifest,
    archiveFile,
    artifact: artifact.ok,
    signerKeyId: signed.ok,
    sbomRef: await sbomReference(ctx, pinned),
  }
}

/** The key id that signed `pinned`; null when an unsigned install is allowed and it has none. */
async function verifySignature(ctx: PullContext, pinned: OciReference): Promise<string | null> {
  const reference = formatReference(pinned)
  if (ctx.trustedKeys.length === 0) {
    // Only reachable with AION_ALLOW_UNSIGNED: the installer refuses otherwise.
    ctx.logger.warn(
      { reference, reason: 'no trusted keys configured (AION_TRUSTED_KEYS)' },
      'AION_ALLOW_UNSIGNED: installing WITHOUT signature verification (development only)',
    )
    return null
  }
  try {
    return (await verifyArtifact(ctx.client, pinned, ctx.trustedKeys)).keyId
  } catch (error) {
    const unsigned = error instanceof AionError && error.code === 'AION_SIGNATURE_NOT_FOUND'
    if (!unsigned || !ctx.allowUnsigned) throw error
    ctx.logger.warn(
      { reference, reason: error.message },
      'AION_ALLOW_UNSIGNED: installing an UNSIGNED package (development only)',
    )
    return null
  }
}

/** `registry/repository@<sbom manifest digest>`, or null when none is attached or it is unusable. */
async function sbomReference(ctx: PullContext, pinned: OciReference): Promise<string | null> {
  try {
    const sbom = await fetchSbom(ctx.client, pinned)
    return formatReference(withDigest(pinned, sbom.manifestDigest))
  } catch (error) {
    if (!(error instanceof AionError) || error.retryable) throw error
    if (error.code !== 'AION_SBOM_NOT_FOUND') {
      // The SBOM is a description, not the package: an unusable one is reported, not fatal.
      ctx.logger.warn(
        { reference: formatReference(pinned), code: error.code, reason: error.message },
        'the attached SBOM is unusable; installing without an SBOM reference',
      )
    }
    return null
  }
}
