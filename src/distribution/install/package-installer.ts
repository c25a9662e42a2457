/**
 * Installs AIP packages from OCI registries: resolve the reference → pull the
 * manifest and archive with every digest verified → verify the cosign
 * signature against the trusted keys (mandatory; unsigned only with
 * AION_ALLOW_UNSIGNED, warned at every such install) → run every package check
 * → store the archive in the object store (`packages/sha256/<hex>.tar.gz`) →
 * extract it into the packages directory → register it in `modules`.
 *
 * Any failed verification or check quarantines the package (quarantine.ts).
 * Registry outages are thrown before anything is written (retryable
 * AION_OCI_REGISTRY_* errors): no row, no object, no files. Installs run one
 * at a time per installer. The caller writes the audit entry and tells the
 * executor to reload (the runtime room has neither).
 */
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AipManifest } from '../../../contracts/generated/index.js'
import { SignatureNoTrustedKeysError } from '../../core/errors/index.js'
import { DEFAULT_TENANT_ID } from '../../storage/index.js'
import type { JsonValue } from '../../core/domain/index.js'
import {
  AIP_LAYER,
  formatReference,
  OciClient,
  type OciReference,
  parseReference,
} from '../oci/index.js'
import { loadTrustedKeys } from '../signing/index.js'
import { pullArtifact, type VerifiedPull } from './artifact-pull.js'
import type {
  InstalledPackage,
  InstallLogger,
  InstallOutcome,
  PackageInstallerOptions,
} from './install-types.js'
import { placePackage } from './package-placement.js'
import { validatePackage } from './package-validation.js'
import { quarantine } from './quarantine.js'

const silent: InstallLogger = { info: () => undefined, warn: () => undefined }

/** The object key of a package archive: `packages/sha256/<hex>.tar.gz`. */
export function packageObjectKey(archiveDigest: string): string {
  return `packages/sha256/${archiveDigest.replace(/^sha256:/, '')}.tar.gz`
}

/** See the module comment. */
export class PackageInstaller {
  readonly #options: PackageInstallerOptions
  readonly #logger: InstallLogger
  readonly #tenantId: string
  #queue: Promise<unknown> = Promise.resolve()

  constructor(options: PackageInstallerOptions) {
    this.#options = options
    this.#logger = options.logger ?? silent
    this.#tenantId = options.tenantId ?? DEFAULT_TENANT_ID
  }

  /**
   * Installs the package `reference` names (`host[:port]/repo:tag` or
   * `…@sha256:…`). Resolves with `installed` or `quarantined`; throws for a
   * reference that names nothing, credentials the registry refuses, no trusted
   * keys, or an outage (retryable).
   */
  install(reference: string): Promise<InstallOutcome> {
    const run = this.#queue.then(() => this.#install(reference))
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #install(reference: string): Promise<InstallOutcome> {
    const ref = parseReference(reference)
    const { distribution } = this.#options
    // Read at every install, so a rotated key needs no restart.
    const trustedKeys = await loadTrustedKeys(distribution.trustedKeys)
    if (trustedKeys.length === 0 && !distribution.allowUnsigned) {
      throw new SignatureNoTrustedKeysError({})
    }
    const workDir = await mkdtemp(join(tmpdir(), 'aion-install-'))
    const client = this.#options.client?.() ?? OciClient.fromSettings(distribution)
    try {
      const pulled = await pullArtifact({
        client,
        ref,
        workDir,
        trustedKeys,
        allowUnsigned: distribution.allowUnsigned,
        logger: this.#logger,
      })
      const target = { ...this.#options, tenantId: this.#tenantId }
      if (pulled.kind === 'rejected') {
        const { code, message } = pulled.error
        return await this.#quarantined(
          quarantine(target, { ref, parts: pulled, reason: { code, message } }),
        )
      }
      const validation = await validatePackage(
        pulled.archiveFile,
        pulled.manifest,
        formatReference(ref),
      )
      if (!validation.ok) {
        const { reason, manifest } = validation
        const input = {
          ref,
          parts: pulled,
          reason,
          ...(manifest ? { packageManifest: manifest } : {}),
        }
        return await this.#quarantined(quarantine(target, input))
      }
      return await this.#register(ref, pulled, validation.manifest)
    } finally {
      await client.close()
      await rm(workDir, { recursive: true, force: true })
    }
  }

  async #quarantined(outcome: Promise<InstallOutcome>): Promise<InstallOutcome> {
    const result = await outcome
    this.#logger.warn(result, 'package quarantined')
    return result
  }

  /** Stores, extracts and registers a verified, valid package. */
  async #register(
    ref: OciReference,
    pulled: VerifiedPull,
    manifest: AipManifest,
  ): Promise<InstalledPackage> {
    const { objects, modules, packagesDir } = this.#options
    const { name, version } = manifest.metadata
    const runtime = manifest.runtime.type
    const layer = pulled.artifact.layer
    const packageKey = packageObjectKey(layer.digest)
    const stored = await objects.exists(packageKey)
    await objects.put(packageKey, createReadStream(pulled.archiveFile), {
      contentType: AIP_LAYER,
      expectedDigest: layer.digest,
      metadata: { name, version, 'manifest-digest': pulled.digest },
    })
    let placement
    try {
      placement = await placePackage(pulled.archiveFile, packagesDir, name)
      try {
        await modules.upsert({
          tenantId: this.#tenantId,
          name,
          version,
          digest: pulled.digest,
          runtime,
          signerKeyId: pulled.signerKeyId,
          sbomRef: pulled.sbomRef,
          status: 'installed',
          reason: null,
          manifest: manifest as unknown as JsonValue,
        })
      } catch (error) {
        await placement.rollback()
        throw error
      }
    } catch (error) {
      // Nothing half-installed: an archive this install stored goes too.
      if (!stored) await objects.delete(packageKey).catch(() => undefined)
      throw error
    }
    await placement.commit()
    const installed: InstalledPackage = {
      status: 'installed',
      reference: formatReference(ref),
      name,
      version,
      digest: pulled.digest,
      runtime,
      signerKeyId: pulled.signerKeyId,
      sbomRef: pulled.sbomRef,
      packageKey,
      dir: placement.dir,
      unsigned: pulled.signerKeyId === null,
    }
    this.#logger.info(installed, 'package installed')
    return installed
  }
}
