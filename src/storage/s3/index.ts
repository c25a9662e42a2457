/** The S3-API object store (AWS S3, MinIO, S3Proxy). */
export { S3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store.js'
