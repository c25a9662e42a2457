import { describe, expect, it } from 'vitest'
import { manifestBytes, parseManifest, sha256Digest } from './manifest.js'
import { EMPTY_BLOB, OCI_INDEX, OCI_MANIFEST } from './media-types.js'

const source = { registry: 'r.example', repository: 'x' }
const digest = `sha256:${'b'.repeat(64)}`
const valid = {
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_BLOB.digest, size: 2 },
  layers: [{ mediaType: 'application/x-layer', digest, size: 10, annotations: { a: 'b' } }],
}

function problemOf(value: unknown, mediaType = OCI_MANIFEST): string {
  try {
    parseManifest(
      Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
      mediaType,
      source,
    )
  } catch (error) {
    expect((error as { code: string }).code).toBe('AION_OCI_MANIFEST_INVALID')
    return (error as Error).message
  }
  throw new Error('expected AION_OCI_MANIFEST_INVALID')
}

describe('parseManifest', () => {
  it('accepts a valid image manifest and index', () => {
    const parsed = parseManifest(manifestBytes(valid as never), OCI_MANIFEST, source)
    expect(parsed).toEqual({ kind: 'manifest', manifest: valid })
    const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [valid.layers[0]] }
    expect(parseManifest(Buffer.from(JSON.stringify(index)), OCI_INDEX, source).kind).toBe('index')
  })

  it('lists every structural problem', () => {
    const message = problemOf({
      schemaVersion: 1,
      mediaType: OCI_INDEX,
      config: { mediaType: 'no slash', digest: 'sha256:12', size: -1 },
      layers: [{ mediaType: 'a/b', digest, size: 1.5, annotations: { n: 1 } }],
      subject: 'x',
    })
    for (const part of [
      '/schemaVersion must be 2',
      `/mediaType "${OCI_INDEX}" differs from ${OCI_MANIFEST}`,
      '/config/mediaType must be a media type',
      '/config/digest must be sha256:<64 hex>',
      '/config/size must be a non-negative integer',
      '/layers/0/size must be a non-negative integer',
      '/layers/0/annotations must map strings to strings',
      '/subject must be a descriptor object',
    ]) {
      expect(message).toContain(part)
    }
  })

  it('refuses what is not a JSON object', () => {
    expect(problemOf('{"schemaVersion":')).toContain('is not JSON')
    expect(problemOf([1, 2])).toContain('is not a JSON object')
    expect(problemOf({ ...valid, layers: null })).toContain('/layers must be an array')
    expect(problemOf({ schemaVersion: 2, manifests: {} }, OCI_INDEX)).toContain(
      '/manifests must be an array',
    )
  })
})

describe('digests', () => {
  it('computes the empty blob digest the image spec gives', () => {
    expect(sha256Digest(EMPTY_BLOB.bytes)).toBe(EMPTY_BLOB.digest)
    expect(Buffer.from(EMPTY_BLOB.bytes).toString()).toBe('{}')
  })

  it('pushes manifests as compact JSON in key order', () => {
    expect(manifestBytes(valid as never).toString()).toBe(JSON.stringify(valid))
  })
})
