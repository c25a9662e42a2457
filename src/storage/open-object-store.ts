import { join } from 'node:path'
import type { S3Settings } from '../core/settings/index.js'
import { LocalDirectoryObjectStore } from './local/local-directory-object-store.js'
import type { ObjectStore } from './ports/object-store.js'
import { DEFAULT_TENANT_ID } from './ports/tenant.js'

/** Options of {@link openObjectStore}. */
export interface OpenObjectStoreOptions {
  /** The data directory: objects in `<dataDir>/objects` when `s3` is unset. */
  readonly dataDir: string
  /** `settings.s3`. @default undefined: the local directory store */
  readonly s3?: S3Settings | undefined
  /** The tenant whose objects the store holds (its prefix on S3). @default 'default' */
  readonly tenantId?: string
}

/** An object store and how to let go of its connections. */
export interface OpenedObjectStore {
  readonly objects: ObjectStore
  /** `local` or `s3`, for the startup log. */
  readonly engine: 'local' | 's3'
  close(): Promise<void>
}

/**
 * Opens the object store the settings name: the S3 bucket of `settings.s3`
 * (checked, and created when missing, before this returns: a server that is
 * down fails the start with AION_OBJECT_STORE_UNAVAILABLE), else the local
 * directory `<dataDir>/objects`.
 */
export async function openObjectStore(options: OpenObjectStoreOptions): Promise<OpenedObjectStore> {
  const s3 = options.s3
  if (s3 === undefined) {
    const objects = new LocalDirectoryObjectStore(join(options.dataDir, 'objects'))
    return { objects, engine: 'local', close: async () => undefined }
  }
  // Loaded only when configured: the AWS SDK takes ~150 ms to import, which
  // the embedded default's start should not pay.
  const { S3ObjectStore } = await import('./s3/s3-object-store.js')
  const objects = await S3ObjectStore.open({
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: s3.region,
    ...(s3.credentials === undefined
      ? {}
      : {
          credentials: {
            accessKeyId: s3.credentials.accessKeyId,
            secretAccessKey: s3.credentials.secretAccessKey.reveal(),
          },
        }),
    tenantId: options.tenantId ?? DEFAULT_TENANT_ID,
  })
  return { objects, engine: 's3', close: async () => objects.close() }
}
