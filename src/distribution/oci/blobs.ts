/**
 * Blobs: existence (HEAD), upload (POST then one PUT, or POST, PATCH chunks and
 * a closing PUT for blobs over the chunk size), and verified download. A
 * download is refused before the first byte when its descriptor announces more
 * than the limit; its length and SHA-256 are checked while it streams, and
 * content that turns out longer than announced is cut off at once.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import {
  OciBlobTooLargeError,
  OciDigestMismatchError,
  OciManifestInvalidError,
  OciSizeMismatchError,
} from '../../core/errors/index.js'
import { type Descriptor, sha256Digest } from './manifest.js'
import { DIGEST, type OciReference } from './reference.js'
import {
  discard,
  header,
  issue,
  networkFailure,
  type RegistryResponse,
  type RegistryTransport,
} from './transport.js'

/** Whether the repository holds the blob. */
export async function blobExists(
  transport: RegistryTransport,
  ref: OciReference,
  digest: string,
): Promise<boolean> {
  const response = await transport.send({
    ref,
    method: 'HEAD',
    path: `/v2/${ref.repository}/blobs/${digest}`,
    what: `blob ${digest}`,
    blob: true,
    accept: [404],
  })
  await response.body.dump()
  return response.status !== 404
}

/** Options of {@link pushBlob}. */
export interface PushBlobOptions {
  /** Media type of the returned descriptor. @default 'application/octet-stream' */
  readonly mediaType?: string
  /** Blobs larger than this go up in PATCH chunks of this size. */
  readonly chunkBytes: number
}

function uploadUrl(response: RegistryResponse, ref: OciReference, what: string): URL {
  const location = header(response, 'location')
  if (location === undefined) {
    throw new OciManifestInvalidError(issue(ref, `${what}: upload answered without a Location`))
  }
  return new URL(location, response.url)
}

/** Uploads `bytes` unless the repository already holds them; returns their descriptor. */
export async function pushBlob(
  transport: RegistryTransport,
  ref: OciReference,
  bytes: Uint8Array,
  options: PushBlobOptions,
): Promise<Descriptor> {
  const digest = sha256Digest(bytes)
  const descriptor = {
    mediaType: options.mediaType ?? 'application/octet-stream',
    digest,
    size: bytes.length,
  }
  if (await blobExists(transport, ref, digest)) return descriptor
  const what = `blob ${digest}`
  const base = { ref, push: true, what }
  const octets = { 'content-type': 'application/octet-stream' }
  const started = await transport.send({
    ...base,
    method: 'POST',
    path: `/v2/${ref.repository}/blobs/uploads/`,
  })
  await started.body.dump()
  let location = uploadUrl(started, ref, what)
  let body: Uint8Array | undefined = bytes
  if (bytes.length > options.chunkBytes) {
    for (let start = 0; start < bytes.length; start += options.chunkBytes) {
      const chunk = bytes.subarray(start, start + options.chunkBytes)
      const patched = await transport.send({
        ...base,
        method: 'PATCH',
        path: location.href,
        headers: { ...octets, 'content-range': `${start}-${start + chunk.length - 1}` },
        body: chunk,
      })
      await patched.body.dump()
      location = uploadUrl(patched, ref, what)
    }
    body = undefined
  }
  location.searchParams.set('digest', digest)
  const done = await transport.send({
    ...base,
    method: 'PUT',
    path: location.href,
    headers: body === undefined ? { 'content-length': '0' } : octets,
    body: body ?? new Uint8Array(0),
  })
  await done.body.dump()
  const stored = header(done, 'docker-content-digest')
  if (stored !== undefined && stored !== digest) {
    throw new OciDigestMismatchError({
      ...issue(ref, `${what}: the registry stored it as ${stored}`),
      expected: digest,
      actual: stored,
    })
  }
  return descriptor
}

/** Refuses a descriptor the client must not download. */
function checkDescriptor(ref: OciReference, descriptor: Descriptor, maxBytes: number): void {
  if (!DIGEST.test(descriptor.digest)) {
    const detail = `blob digest ${JSON.stringify(descriptor.digest)} is not sha256:<64 hex>`
    throw new OciManifestInvalidError(issue(ref, detail))
  }
  if (descriptor.size > maxBytes) {
    throw new OciBlobTooLargeError({
      ...issue(
        ref,
        `blob ${descriptor.digest} announces ${descriptor.size} bytes, over the limit of ${maxBytes} (AION_REGISTRY_MAX_BLOB_BYTES); nothing was downloaded`,
      ),
      sizeBytes: descriptor.size,
      limitBytes: maxBytes,
    })
  }
}

/** The blob's chunks, checked against the descriptor's size and digest as they pass. */
async function* verified(
  ref: OciReference,
  descriptor: Descriptor,
  response: RegistryResponse,
): AsyncGenerator<Buffer> {
  const what = `blob ${descriptor.digest}`
  const mismatch = (actual: number | string) =>
    new OciSizeMismatchError({
      ...issue(ref, `${what}: announced ${descriptor.size} bytes, the registry sent ${actual}`),
      expected: descriptor.size,
      actual,
    })
  const length = header(response, 'content-length')
  if (length !== undefined && Number(length) !== descriptor.size) {
    discard(response)
    throw mismatch(Number(length))
  }
  const hash = createHash('sha256')
  let received = 0
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      received += chunk.length
      if (received > descriptor.size) throw mismatch(`more than ${descriptor.size}`)
      hash.update(chunk)
      yield chunk
    }
  } catch (error) {
    discard(response)
    throw networkFailure(ref, what, error)
  }
  if (received !== descriptor.size) throw mismatch(received)
  const actual = `sha256:${hash.digest('hex')}`
  if (actual !== descriptor.digest) {
    throw new OciDigestMismatchError({
      ...issue(ref, `${what}: the content's digest is ${actual}`),
      expected: descriptor.digest,
      actual,
    })
  }
}

async function open(
  transport: RegistryTransport,
  ref: OciReference,
  descriptor: Descriptor,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<RegistryResponse> {
  checkDescriptor(ref, descriptor, maxBytes)
  return transport.send({
    ref,
    method: 'GET',
    path: `/v2/${ref.repository}/blobs/${descriptor.digest}`,
    what: `blob ${descriptor.digest}`,
    blob: true,
    ...(signal === undefined ? {} : { signal }),
  })
}

/** Downloads a blob into memory, verified (see the module comment). */
export async function fetchBlob(
  transport: RegistryTransport,
  ref: OciReference,
  descriptor: Descriptor,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const response = await open(transport, ref, descriptor, maxBytes, signal)
  const chunks: Buffer[] = []
  for await (const chunk of verified(ref, descriptor, response)) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/**
 * Downloads a blob into `file`, verified: it is written to `file.partial` and
 * renamed into place only when complete and correct (removed otherwise).
 */
export async function fetchBlobToFile(
  transport: RegistryTransport,
  ref: OciReference,
  descriptor: Descriptor,
  file: string,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<void> {
  const response = await open(transport, ref, descriptor, maxBytes, signal)
  const partial = `${file}.partial`
  try {
    await pipeline(verified(ref, descriptor, response), createWriteStream(partial, { mode: 0o644 }))
    await rename(partial, file)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
}
