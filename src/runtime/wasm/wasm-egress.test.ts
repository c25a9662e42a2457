import { describe, expect, it } from 'vitest'
import { EgressPolicy } from '../../core/egress/index.js'
import { ModuleEgress } from './wasm-egress.js'

const allowed = (egress: ModuleEgress, url: string) => egress.allows(new URL(url))

describe('ModuleEgress', () => {
  it('denies everything for `network: deny`', () => {
    const egress = new ModuleEgress('deny')
    expect(allowed(egress, 'https://example.com/')).toBe(false)
    expect(allowed(egress, 'http://127.0.0.1/')).toBe(false)
  })

  it('allows a listed host on any port over http and https, and nothing else', () => {
    const egress = new ModuleEgress({ allow: ['api.example.com'] })
    expect(allowed(egress, 'https://api.example.com/v1')).toBe(true)
    expect(allowed(egress, 'http://api.example.com:8080/')).toBe(true)
    expect(allowed(egress, 'https://example.com/')).toBe(false)
    expect(allowed(egress, 'https://api.example.com.evil.test/')).toBe(false)
    expect(allowed(egress, 'ftp://api.example.com/')).toBe(false)
    expect(allowed(egress, 'https://user@evil.test/?api.example.com')).toBe(false)
  })

  it('holds a listed port to that port, the scheme default counting', () => {
    const egress = new ModuleEgress({ allow: ['api.example.com:443', 'local.test:8080'] })
    expect(allowed(egress, 'https://api.example.com/')).toBe(true)
    expect(allowed(egress, 'http://api.example.com/')).toBe(false)
    expect(allowed(egress, 'https://api.example.com:8443/')).toBe(false)
    expect(allowed(egress, 'http://local.test:8080/')).toBe(true)
    expect(allowed(egress, 'http://local.test/')).toBe(false)
  })

  it('allows subdomains for `*.suffix`, not the suffix itself', () => {
    const egress = new ModuleEgress({ allow: ['*.example.com', '*.ports.test:9000'] })
    expect(allowed(egress, 'https://a.example.com/')).toBe(true)
    expect(allowed(egress, 'https://a.b.example.com/')).toBe(true)
    expect(allowed(egress, 'https://example.com/')).toBe(false)
    expect(allowed(egress, 'http://x.ports.test:9000/')).toBe(true)
    expect(allowed(egress, 'http://x.ports.test:9001/')).toBe(false)
  })

  it('also needs the platform policy when one is given', () => {
    const platform = new EgressPolicy(['https://a.example.com'])
    const egress = new ModuleEgress({ allow: ['*.example.com'] }, platform)
    expect(allowed(egress, 'https://a.example.com/')).toBe(true)
    expect(allowed(egress, 'https://b.example.com/')).toBe(false)
    expect(allowed(egress, 'http://a.example.com/')).toBe(false)
  })
})
