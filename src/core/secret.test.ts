import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { Secret } from './secret.js'

const value = 'postgres://app:hunter2@db.internal:5432/aion'

describe('Secret', () => {
  it('reveals its value on request', () => {
    expect(new Secret(value).reveal()).toBe(value)
  })

  it('redacts itself in strings, template literals, JSON and inspect', () => {
    const secret = new Secret(value)
    expect(String(secret)).toBe('[redacted]')
    expect(`${secret}`).toBe('[redacted]')
    expect(JSON.stringify({ databaseUrl: secret })).toBe('{"databaseUrl":"[redacted]"}')
    expect(inspect({ databaseUrl: secret }, { depth: 5 })).not.toContain('hunter2')
    expect(inspect(secret, { showHidden: true })).toBe('Secret([redacted])')
  })

  it('shows nothing through property enumeration', () => {
    const secret = new Secret(value)
    expect(Object.keys(secret)).toEqual([])
    expect(JSON.stringify(Object.entries(secret))).not.toContain('hunter2')
  })
})
