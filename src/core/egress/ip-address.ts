/**
 * What kind of place an IP address is: loopback, private, link-local, a cloud
 * metadata service, … Outbound connections are judged by the address they
 * resolve to, so every spelling of loopback (`127.1`, `2130706433`,
 * `0x7f000001`, `[::ffff:127.0.0.1]`) is judged as loopback, and a host name
 * that resolves to a metadata address is judged as that address.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net'

/** The kind of an address, as egress rules see it. */
export type AddressCategory =
  /** `0.0.0.0/8`, `::`: "this host", which some stacks route to loopback. */
  | 'unspecified'
  /** `169.254.0.0/16`, `fe80::/10`. */
  | 'link-local'
  /** A cloud instance metadata or host service (AWS, Azure, GCP, Alibaba, Oracle). */
  | 'metadata'
  /** Multicast, broadcast and reserved ranges: never a peer of an HTTP call. */
  | 'reserved'
  /** `127.0.0.0/8`, `::1`. */
  | 'loopback'
  /** RFC 1918, CGNAT `100.64.0.0/10`, unique-local `fc00::/7`. */
  | 'private'
  | 'public'

/** An address parsed for matching: IPv4-mapped IPv6 addresses become IPv4. */
export interface NormalAddress {
  readonly address: string
  readonly family: 'ipv4' | 'ipv6'
}

// Checked in this order: metadata addresses sit inside link-local, CGNAT and ULA ranges.
const METADATA = ['169.254.169.254', '168.63.129.16', '100.100.100.200', '192.0.0.192']
const METADATA_V6 = ['fd00:ec2::254']
const categories: readonly [AddressCategory, readonly string[]][] = [
  ['unspecified', ['0.0.0.0/8', '::/128']],
  ['link-local', ['169.254.0.0/16', 'fe80::/10']],
  ['reserved', ['224.0.0.0/4', '240.0.0.0/4', 'ff00::/8']],
  ['loopback', ['127.0.0.0/8', '::1/128']],
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7']],
]

const metadataList = new BlockList()
for (const address of METADATA) metadataList.addAddress(address, 'ipv4')
for (const address of METADATA_V6) metadataList.addAddress(address, 'ipv6')
const categoryLists = categories.map(([category, cidrs]) => {
  const list = new BlockList()
  for (const cidr of cidrs) addCidr(list, cidr)
  return [category, list] as const
})

/**
 * The address without brackets or zone, IPv4-mapped (`::ffff:a.b.c.d`,
 * `::ffff:7f00:1`) and NAT64 (`64:ff9b::a.b.c.d`) forms as the IPv4 address
 * they reach; undefined when `text` is no IP address.
 */
export function normalizeAddress(text: string): NormalAddress | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')
  if (isIPv4(bare)) return { address: bare, family: 'ipv4' }
  if (!isIPv6(bare)) return undefined
  const embedded = embeddedIpv4(bare.toLowerCase())
  return embedded === undefined
    ? { address: bare, family: 'ipv6' }
    : { address: embedded, family: 'ipv4' }
}

/** The category of an IP address; throws a TypeError for text that is no address. */
export function categorize(address: string): AddressCategory {
  const normal = normalizeAddress(address)
  if (normal === undefined) throw new TypeError(`${address} is not an IP address`)
  if (metadataList.check(normal.address, normal.family)) return 'metadata'
  for (const [category, list] of categoryLists) {
    if (list.check(normal.address, normal.family)) return category
  }
  return 'public'
}

/** Adds `a.b.c.d/n`, `x::y/n` or a bare address to `list`; false when `cidr` is neither. */
export function addCidr(list: BlockList, cidr: string): boolean {
  const [text = '', prefixText, extra] = cidr.trim().split('/')
  const normal = normalizeAddress(text)
  if (normal === undefined || extra !== undefined) return false
  const width = normal.family === 'ipv4' ? 32 : 128
  if (prefixText === undefined) {
    list.addAddress(normal.address, normal.family)
    return true
  }
  if (!/^[0-9]{1,3}$/.test(prefixText)) return false
  const prefix = Number(prefixText)
  // A mapped IPv6 range names IPv4 addresses: its prefix counts the last 32 bits.
  const mapped = normal.family === 'ipv4' && !isIPv4(text) ? prefix - 96 : prefix
  if (mapped < 0 || mapped > width) return false
  list.addSubnet(normal.address, mapped, normal.family)
  return true
}

/** The IPv4 address an IPv4-mapped or NAT64 IPv6 address reaches. */
function embeddedIpv4(ipv6: string): string | undefined {
  const words = ipv6Words(ipv6)
  if (words === undefined) return undefined
  const head = words.slice(0, 6).join(',')
  if (head !== '0,0,0,0,0,65535' && head !== '100,65435,0,0,0,0') return undefined
  const [high = 0, low = 0] = words.slice(6)
  return [high >> 8, high & 255, low >> 8, low & 255].join('.')
}

/** The eight 16-bit words of a valid IPv6 address (a dotted IPv4 tail counts as two). */
function ipv6Words(ipv6: string): number[] | undefined {
  let text = ipv6
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const bytes = (dotted[2] ?? '').split('.').map(Number)
    const [a = 0, b = 0, c = 0, d = 0] = bytes
    text = `${dotted[1] ?? ''}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [left = '', right, extra] = text.split('::')
  if (extra !== undefined) return undefined
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)))
  const head = parse(left)
  const tail = right === undefined ? [] : parse(right)
  const missing = 8 - head.length - tail.length
  if (missing < 0 || (right === undefined && missing !== 0)) return undefined
  return [...head, ...new Array<number>(missing).fill(0), ...tail]
}
