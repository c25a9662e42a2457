import { describe, expect, it } from 'vitest'
import { isAionError } from '../errors/index.js'
import { EgressPolicy } from './egress-policy.js'

const allows = (policy: EgressPolicy, url: string) => policy.allows(new URL(url))

describe('EgressPolicy', () => {
  it('matches an origin rule on scheme, host and port only', () => {
    const policy = new EgressPolicy(['https://api.openai.com/v1', 'http://127.0.0.1:11434'])
    expect(allows(policy, 'https://api.openai.com/v1/chat/completions')).toBe(true)
    expect(allows(policy, 'https://API.openai.com:443/x')).toBe(true)
    expect(allows(policy, 'http://api.openai.com/v1')).toBe(false)
    expect(allows(policy, 'https://api.openai.com:8443/v1')).toBe(false)
    expect(allows(policy, 'http://127.0.0.1:11434/v1')).toBe(true)
    expect(allows(policy, 'http://127.0.0.1:11435/v1')).toBe(false)
  })

  it('matches a host rule on any http(s) port, and a wildcard on subdomains only', () => {
    const policy = new EgressPolicy(['models.example.com', '*.endpoints.example.net', '[::1]'])
    expect(allows(policy, 'http://models.example.com:8080/')).toBe(true)
    expect(allows(policy, 'https://models.example.com/')).toBe(true)
    expect(allows(policy, 'ftp://models.example.com/')).toBe(false)
    expect(allows(policy, 'https://evilmodels.example.com/')).toBe(false)
    expect(allows(policy, 'https://a.endpoints.example.net/')).toBe(true)
    expect(allows(policy, 'https://a.b.endpoints.example.net/')).toBe(true)
    expect(allows(policy, 'https://endpoints.example.net/')).toBe(false)
    expect(allows(policy, 'https://xendpoints.example.net/')).toBe(false)
    expect(allows(policy, 'http://[::1]:9000/')).toBe(true)
  })

  it('judges the real host, not userinfo that looks like one', () => {
    const policy = new EgressPolicy(['api.openai.com'])
    expect(allows(policy, 'https://api.openai.com@evil.test/v1')).toBe(false)
    expect(allows(policy, 'https://api.openai.com.evil.test/v1')).toBe(false)
  })

  it('denies everything when empty', () => {
    expect(allows(EgressPolicy.denyAll(), 'http://127.0.0.1/')).toBe(false)
  })

  it('throws AION_EGRESS_DENIED naming the origin only', () => {
    const policy = new EgressPolicy(['a.test'])
    let caught: unknown
    try {
      policy.assertAllowed(new URL('https://b.test:8443/v1/x?key=s3cr3t'))
    } catch (error) {
      caught = error
    }
    expect(isAionError(caught) && caught.code).toBe('AION_EGRESS_DENIED')
    expect(isAionError(caught) && caught.kind).toBe('permission_denied')
    expect((caught as Error).message).toBe('egress to https://b.test:8443 is not allowed')
    expect(() => policy.assertAllowed(new URL('https://a.test/'))).not.toThrow()
  })

  it.each(['', 'a.test:8080', 'user@a.test', 'a.test/path', '*.', 'http://'])(
    'rejects the invalid rule %j',
    (rule) => {
      expect(() => new EgressPolicy([rule])).toThrow(
        expect.objectContaining({ code: 'AION_EGRESS_INVALID_RULE' }),
      )
    },
  )
})
