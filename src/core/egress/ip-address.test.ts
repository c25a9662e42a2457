import { BlockList } from 'node:net'
import { describe, expect, it } from 'vitest'
import { addCidr, categorize, normalizeAddress } from './ip-address.js'
import { NetworkList, invalidCidrs } from './network-list.js'

describe('categorize', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['172.32.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (address, category) => {
    expect(categorize(address)).toBe(category)
  })

  it('judges the numeric spellings of loopback that URLs normalise', () => {
    for (const host of ['127.1', '2130706433', '0x7f000001', '0177.0.0.1', '[::ffff:127.0.0.1]']) {
      const hostname = new URL(`http://${host}/`).hostname
      expect(categorize(hostname), host).toBe('loopback')
    }
  })

  it('throws for text that is no address', () => {
    expect(() => categorize('localhost')).toThrow(TypeError)
    expect(normalizeAddress('1.2.3')).toBeUndefined()
  })
})

describe('NetworkList', () => {
  it('matches addresses by CIDR, mapped IPv6 included', () => {
    const list = new NetworkList(['127.0.0.1/32', '10.0.0.0/8', 'fd00::/8', '192.168.7.7'])
    expect(list.contains('127.0.0.1')).toBe(true)
    expect(list.contains('::ffff:127.0.0.1')).toBe(true)
    expect(list.contains('127.0.0.2')).toBe(false)
    expect(list.contains('10.200.0.1')).toBe(true)
    expect(list.contains('fd00::5')).toBe(true)
    expect(list.contains('fe00::5')).toBe(false)
    expect(list.contains('192.168.7.7')).toBe(true)
    expect(list.contains('192.168.7.8')).toBe(false)
    expect(list.contains('not-an-address')).toBe(false)
  })

  it('names what is no CIDR', () => {
    expect(invalidCidrs(['10.0.0.0/8', '10.0.0.0/33', 'host', '::1/129', '1.2.3.4/8/1'])).toEqual([
      '10.0.0.0/33',
      'host',
      '::1/129',
      '1.2.3.4/8/1',
    ])
    expect(() => new NetworkList(['x'])).toThrow('x is not a CIDR')
    expect(addCidr(new BlockList(), '::ffff:127.0.0.0/104')).toBe(true)
  })
})
