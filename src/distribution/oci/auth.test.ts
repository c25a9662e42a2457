import { describe, expect, it } from 'vitest'
import { parseChallenge, repositoryScope } from './auth.js'

describe('parseChallenge', () => {
  it('reads a Bearer challenge with quoted parameters', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/x:pull,push",error="insufficient_scope"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example.com/token',
        service: 'registry.example.com',
        scope: 'repository:team/x:pull,push',
        error: 'insufficient_scope',
      },
    })
  })

  it('reads Basic, token values, escapes and odd spacing', () => {
    expect(parseChallenge('Basic realm="Registry \\"Realm\\""')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry "Realm"' },
    })
    expect(parseChallenge('  bearer   Realm = https://a/t , service=svc')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://a/t', service: 'svc' },
    })
    expect(parseChallenge('')).toBeUndefined()
  })
})

describe('repositoryScope', () => {
  it('asks for pull, or pull and push', () => {
    expect(repositoryScope('team/x', false)).toBe('repository:team/x:pull')
    expect(repositoryScope('team/x', true)).toBe('repository:team/x:pull,push')
  })
})
