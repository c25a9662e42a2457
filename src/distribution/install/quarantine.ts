/**
 * Quarantine: a package that failed a check is kept — its manifest, its
 * archive when the archive's digest verified, and the reason — under
 * `quarantine/<name>/<version>/<manifest hex>/` in the object store, and its
 * `modules` row says `quarantined` with the reason (`<code>: <message>`). It is
 * never extracted into the packages directory, so no executor can load it.
 */
import { createReadStream } from 'node:fs'
import type { AipManifest } from '../../../contracts/generated/index.js'
import { ModuleQuarantinedError } from '../../core/errors/index.js'
import type { ModuleRuntime, ModuleStore, ObjectStore } from '../../storage/index.js'
import type { JsonValue } from '../../core/domain/index.js'
import { AIP_LAYER, ANNOTATION, formatReference, type OciReference } from '../oci/index.js'
import type { PulledParts } from './artifact-pull.js'
import type { QuarantinedInstall } from './install-types.js'

/** Who the quarantined package is, as far as can be told. */
export interface PackageIdentity {
  readonly name: string
  readonly version: string
  readonly runtime: ModuleRuntime
}

/** What a quarantine needs to know. */
export interface QuarantineInput {
  readonly ref: OciReference
  readonly parts: PulledParts
  /** The failed check: its code and what it said. */
  readonly reason: QuarantineReason
  /** The package's own manifest, when it could be read. */
  readonly packageManifest?: AipManifest
}

/** Why a package is quarantined. */
export interface QuarantineReason {
  readonly code: string
  readonly message: string
}

/** Where a quarantine writes. */
export interface QuarantineTarget {
  readonly modules: ModuleStore
  readonly objects: ObjectStore
  readonly tenantId: string
}

const runtimes: readonly string[] = ['wasm', 'subprocess']

/**
 * The package's identity: from its own manifest, else the artifact's
 * annotations, else the reference (last repository segment, tag). A runtime
 * nobody declared is recorded as `wasm`, the default runtime.
 */
export function identityOf(ref: OciReference, parts: PulledParts, manifest?: AipManifest) {
  if (manifest) {
    const { name, version } = manifest.metadata
    return { name, version, runtime: manifest.runtime.type } satisfies PackageIdentity
  }
  const annotations = parts.manifest?.annotations ?? {}
  const runtime = annotations[ANNOTATION.aipRuntime] ?? ''
  return {
    name: annotations[ANNOTATION.aipName] ?? ref.repository.split('/').at(-1) ?? ref.repository,
    version: annotations[ANNOTATION.version] ?? ref.tag ?? 'unknown',
    runtime: (runtimes.includes(runtime) ? runtime : 'wasm') as ModuleRuntime,
  } satisfies PackageIdentity
}

/** A string as one object-key segment (S3-safe characters only). */
function segment(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9!\-_.*'()]/g, '_')
  return safe === '' || safe === '.' || safe === '..' ? '_' : safe
}

/** Quarantines the package; see the module comment. */
export async function quarantine(
  target: QuarantineTarget,
  input: QuarantineInput,
): Promise<QuarantinedInstall> {
  const { ref, parts, reason: failure } = input
  const identity = identityOf(ref, parts, input.packageManifest)
  const digest = parts.digest ?? ref.digest ?? 'unknown'
  const prefix = `quarantine/${segment(identity.name)}/${segment(identity.version)}/${segment(
    digest.replace(/^sha256:/, ''),
  )}`
  const reference = formatReference(ref)
  const metadata = { 'manifest-digest': digest, 'reason-code': failure.code }
  const objectKeys: string[] = []
  if (parts.manifestBytes) {
    const key = `${prefix}/manifest.json`
    await target.objects.put(key, parts.manifestBytes, {
      contentType: 'application/vnd.oci.image.manifest.v1+json',
      metadata,
    })
    objectKeys.push(key)
  }
  if (parts.archiveFile) {
    const key = `${prefix}/package.tar.gz`
    await target.objects.put(key, createReadStream(parts.archiveFile), {
      contentType: AIP_LAYER,
      metadata,
    })
    objectKeys.push(key)
  }
  const at = new Date().toISOString()
  const reason = {
    reference,
    ...identity,
    digest,
    code: failure.code,
    message: failure.message,
    at,
  }
  const reasonKey = `${prefix}/reason.json`
  await target.objects.put(reasonKey, Buffer.from(`${JSON.stringify(reason, null, 2)}\n`), {
    contentType: 'application/json',
    metadata,
  })
  objectKeys.push(reasonKey)
  const existing = await target.modules.get(target.tenantId, identity.name, identity.version)
  const recorded = existing?.status !== 'installed'
  if (recorded) {
    await target.modules.upsert({
      tenantId: target.tenantId,
      ...identity,
      digest,
      status: 'quarantined',
      reason: `${failure.code}: ${failure.message}`,
      manifest: (input.packageManifest ?? null) as JsonValue | null,
      at,
    })
  }
  return {
    status: 'quarantined',
    reference,
    ...identity,
    digest,
    reasonCode: failure.code,
    reason: failure.message,
    objectKeys,
    recorded,
  }
}

/** The error a quarantined install answers with (HTTP 422, not retryable). */
export function quarantineError(outcome: QuarantinedInstall) {
  return new ModuleQuarantinedError({
    reference: outcome.reference,
    module: outcome.name,
    version: outcome.version,
    digest: outcome.digest,
    reasonCode: outcome.reasonCode,
    reason: outcome.reason,
  })
}
