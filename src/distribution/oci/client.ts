/**
 * The OCI distribution client: one object per command or install, holding the
 * connections, each registry's auth scheme and the cached tokens. Every method
 * takes an {@link OciReference} (its registry and repository; a tag or digest
 * where the method says) and raises only `AION_OCI_*` errors.
 */
import { AddressGuard } from '../../core/egress/index.js'
import type { DistributionSettings } from '../../core/settings/index.js'
import { blobExists, fetchBlob, fetchBlobToFile, pushBlob } from './blobs.js'
import { dockerConfigCredentials, settingsCredentials } from './credentials.js'
import type { Descriptor, ImageIndex, ImageManifest } from './manifest.js'
import {
  ALL_MANIFEST_TYPES,
  fetchManifest,
  type FetchedManifest,
  pushManifest,
  type PushedManifest,
  resolveManifest,
} from './manifests.js'
import { fetchReferrers, listTags, type Referrers } from './referrers.js'
import { OCI_MANIFEST } from './media-types.js'
import type { OciReference } from './reference.js'
import { RegistryTransport, type TransportOptions } from './transport.js'
import { OciMediaTypeUnsupportedError } from '../../core/errors/index.js'

/** Options of {@link OciClient}. */
export interface OciClientOptions extends TransportOptions {
  /** Largest blob downloaded; a descriptor announcing more is refused first. @default 1073741824 */
  readonly maxBlobBytes?: number
  /** Blobs over this size are uploaded in PATCH chunks of it. @default 8388608 */
  readonly chunkBytes?: number
}

/** Options of a download. */
export interface FetchOptions {
  /** Overrides the client's `maxBlobBytes` for this blob (only lower makes sense). */
  readonly maxBytes?: number
  readonly signal?: AbortSignal
}

/** See the module comment. */
export class OciClient {
  private readonly transport: RegistryTransport
  private readonly maxBlobBytes: number
  private readonly chunkBytes: number

  constructor(options: OciClientOptions) {
    this.transport = new RegistryTransport(options)
    this.maxBlobBytes = options.maxBlobBytes ?? 1024 ** 3
    this.chunkBytes = options.chunkBytes ?? 8 * 1024 * 1024
  }

  /** A client configured by the settings' distribution section (credentials, insecure hosts, limits). */
  static fromSettings(
    settings: DistributionSettings,
    options: Partial<OciClientOptions> = {},
  ): OciClient {
    return new OciClient({
      credentials: settingsCredentials(settings.logins, dockerConfigCredentials(settings.authFile)),
      insecureRegistries: settings.insecureRegistries,
      timeoutMs: settings.timeoutMs,
      maxBlobBytes: settings.maxBlobBytes,
      ...(settings.egress === undefined ? {} : { guard: AddressGuard.of(settings.egress) }),
      ...options,
    })
  }

  /** Whether `ref`'s repository holds the blob `digest`. */
  blobExists(ref: OciReference, digest: string): Promise<boolean> {
    return blobExists(this.transport, ref, digest)
  }

  /** Uploads `bytes` to `ref`'s repository (skipped when already there); their descriptor. */
  pushBlob(ref: OciReference, bytes: Uint8Array, mediaType?: string): Promise<Descriptor> {
    return pushBlob(this.transport, ref, bytes, {
      chunkBytes: this.chunkBytes,
      ...(mediaType === undefined ? {} : { mediaType }),
    })
  }

  /** Downloads the blob `descriptor` names, size-limited and verified. */
  fetchBlob(
    ref: OciReference,
    descriptor: Descriptor,
    options: FetchOptions = {},
  ): Promise<Buffer> {
    return fetchBlob(this.transport, ref, descriptor, this.limit(options), options.signal)
  }

  /** Downloads the blob into `file` (written only when complete and verified). */
  fetchBlobToFile(
    ref: OciReference,
    descriptor: Descriptor,
    file: string,
    options: FetchOptions = {},
  ): Promise<void> {
    return fetchBlobToFile(
      this.transport,
      ref,
      descriptor,
      file,
      this.limit(options),
      options.signal,
    )
  }

  /** The manifest `ref` names (digest, else tag), checked; `accept` limits its media types. */
  fetchManifest(
    ref: OciReference,
    accept: readonly string[] = ALL_MANIFEST_TYPES,
    signal?: AbortSignal,
  ): Promise<FetchedManifest> {
    return fetchManifest(this.transport, ref, accept, signal)
  }

  /** The OCI image manifest `ref` names; any other media type is AION_OCI_MEDIA_TYPE_UNSUPPORTED. */
  async fetchImageManifest(
    ref: OciReference,
    signal?: AbortSignal,
  ): Promise<{
    readonly descriptor: Descriptor
    readonly manifest: ImageManifest
    readonly bytes: Buffer
  }> {
    // Ask for every type and judge the answer here: a registry that cannot serve a
    // Docker manifest as OCI answers 400, which would hide what the manifest is.
    const fetched = await fetchManifest(this.transport, ref, ALL_MANIFEST_TYPES, signal)
    if (fetched.parsed.kind !== 'manifest' || fetched.descriptor.mediaType !== OCI_MANIFEST) {
      const { mediaType, digest } = fetched.descriptor
      throw new OciMediaTypeUnsupportedError({
        registry: ref.registry,
        repository: ref.repository,
        detail: `${digest} is ${mediaType}, not an OCI image manifest`,
        mediaType,
      })
    }
    return {
      descriptor: fetched.descriptor,
      manifest: fetched.parsed.manifest,
      bytes: fetched.bytes,
    }
  }

  /** The descriptor of the manifest `ref` names (HEAD), or undefined when there is none. */
  resolve(
    ref: OciReference,
    accept: readonly string[] = ALL_MANIFEST_TYPES,
  ): Promise<Descriptor | undefined> {
    return resolveManifest(this.transport, ref, accept)
  }

  /**
   * Pushes a manifest under `ref`'s tag (or digest; neither: by its own digest).
   * Its blobs must be pushed first. The bytes are the compact JSON of `manifest`.
   * @param mediaType the manifest's media type. @default OCI image manifest
   */
  pushManifest(
    ref: OciReference,
    manifest: ImageManifest | ImageIndex,
    mediaType: string = manifest.mediaType ?? OCI_MANIFEST,
  ): Promise<PushedManifest> {
    return pushManifest(this.transport, ref, manifest, mediaType)
  }

  /** Every tag of `ref`'s repository. */
  listTags(ref: OciReference): Promise<string[]> {
    return listTags(this.transport, ref)
  }

  /**
   * The referrers of the manifest at `ref.digest`, or `{ supported: false }`
   * where the registry has no referrers API (distribution 2.8): then look at
   * the fallback tag, `referrersTag(digest, 'sig' | 'sbom')`.
   */
  referrers(ref: OciReference, artifactType?: string): Promise<Referrers> {
    return fetchReferrers(this.transport, ref, artifactType)
  }

  /** Closes the connections. */
  close(): Promise<void> {
    return this.transport.close()
  }

  private limit(options: FetchOptions): number {
    return Math.min(options.maxBytes ?? this.maxBlobBytes, this.maxBlobBytes)
  }
}
