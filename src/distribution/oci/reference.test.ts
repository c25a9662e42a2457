import { describe, expect, it } from 'vitest'
import {
  formatReference,
  isLoopbackRegistry,
  parseReference,
  referrersTag,
  withDigest,
  withTag,
} from './reference.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

function codeOf(text: string): string | undefined {
  try {
    parseReference(text)
  } catch (error) {
    return (error as { code: string }).code
  }
  return undefined
}

describe('parseReference', () => {
  it('reads registry, repository, tag and digest', () => {
    expect(parseReference('Registry.Example.com/team/summarize_text:1.3.0')).toEqual({
      registry: 'registry.example.com',
      repository: 'team/summarize_text',
      tag: '1.3.0',
    })
    expect(parseReference(`127.0.0.1:5000/a/b@${DIGEST}`)).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'a/b',
      digest: DIGEST,
    })
    expect(parseReference(`localhost/x:v1@${DIGEST}`)).toMatchObject({ tag: 'v1', digest: DIGEST })
    expect(parseReference('[::1]:5000/x')).toEqual({ registry: '[::1]:5000', repository: 'x' })
    expect(parseReference('http://127.0.0.1:5000/x:1')).toMatchObject({ scheme: 'http', tag: '1' })
    expect(parseReference('https://r.example/x')).toMatchObject({ scheme: 'https' })
  })

  it('tells a port from a tag', () => {
    expect(parseReference('r.example:5000/x')).toEqual({
      registry: 'r.example:5000',
      repository: 'x',
    })
    expect(parseReference('r.example:5000/x:5000')).toMatchObject({ repository: 'x', tag: '5000' })
  })

  it.each([
    ['no registry', 'summarize_text:1.0'],
    ['a registry without dot or port (no implicit Docker Hub)', 'library/ubuntu:22.04'],
    ['an upper-case repository', 'r.example/Team/x'],
    ['an empty repository', 'r.example/'],
    ['a bad tag', 'r.example/x:-bad'],
    ['a digest of another algorithm', 'r.example/x@md5:abcd'],
    ['a short digest', 'r.example/x@sha256:abcd'],
    ['a repository with ..', 'r.example/a/../b'],
  ])('refuses %s with AION_OCI_REFERENCE_INVALID', (_what, text) => {
    expect(codeOf(text)).toBe('AION_OCI_REFERENCE_INVALID')
  })

  it('formats references back, and swaps tags and digests', () => {
    const ref = parseReference('r.example:5000/team/x:1')
    expect(formatReference(ref)).toBe('r.example:5000/team/x:1')
    expect(formatReference(withDigest(ref, DIGEST))).toBe(`r.example:5000/team/x@${DIGEST}`)
    expect(formatReference(withTag(withDigest(ref, DIGEST), 'v2'))).toBe('r.example:5000/team/x:v2')
    expect(() => withTag(ref, '../x')).toThrow(/not a valid tag/)
  })
})

describe('referrersTag', () => {
  it('names the fallback tags cosign and the OCI 1.1 tag schema use', () => {
    expect(referrersTag(DIGEST)).toBe(`sha256-${'a'.repeat(64)}`)
    expect(referrersTag(DIGEST, 'sig')).toBe(`sha256-${'a'.repeat(64)}.sig`)
    expect(referrersTag(DIGEST, 'sbom')).toBe(`sha256-${'a'.repeat(64)}.sbom`)
    expect(() => referrersTag('sha256:zz')).toThrow(/sha256/)
  })
})

describe('isLoopbackRegistry', () => {
  it('knows loopback hosts', () => {
    for (const host of [
      'localhost',
      'localhost:5000',
      '127.0.0.1:5000',
      '127.8.9.10',
      '[::1]:5000',
    ]) {
      expect(isLoopbackRegistry(host), host).toBe(true)
    }
    for (const host of [
      'registry.example.com',
      '10.0.0.1:5000',
      'localhost.example.com',
      '[::2]:5000',
    ]) {
      expect(isLoopbackRegistry(host), host).toBe(false)
    }
  })
})
