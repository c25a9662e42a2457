/**
 * The connect-time check of every outbound connection: the host is resolved
 * once, every address it resolves to is judged, and the connection is made
 * to the judged addresses only (so a second, different DNS answer cannot slip in).
 * Link-local, metadata, unspecified and reserved addresses are always
 * refused; loopback and private ones only where the settings allow them.
 * A call that must stay on the premises (privacy `local-only`, or `hybrid`
 * before redaction) also needs every address inside the declared networks.
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { EgressAddressRefusedError, EgressNotLocalError } from '../errors/index.js'
import { categorize, type AddressCategory } from './ip-address.js'
import { LOOPBACK_NETWORKS, NetworkList } from './network-list.js'

/** Which address ranges outbound connections may reach (`AION_EGRESS_*`). */
export interface AddressRules {
  /** `AION_EGRESS_ALLOW_LOOPBACK`: `127.0.0.0/8`, `::1`. @default true */
  readonly allowLoopback?: boolean
  /**
   * `AION_EGRESS_ALLOW_PRIVATE`: RFC 1918, CGNAT, `fc00::/7`; those inside
   * the local networks are allowed either way. @default false
   */
  readonly allowPrivate?: boolean
  /** `AION_LOCAL_NETWORKS`: where a local-only call may go. @default loopback only */
  readonly localNetworks?: NetworkList
}

/** Resolves a host name to every address it has (an IP literal to itself). */
export type AddressLookup = (host: string) => Promise<readonly string[]>

/** Where a connection must land besides the egress rules. */
export type Placement = 'anywhere' | 'on-premises'

const systemLookup: AddressLookup = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address)

const ALWAYS_REFUSED: ReadonlySet<AddressCategory> = new Set([
  'unspecified',
  'link-local',
  'metadata',
  'reserved',
])

/** Judges the addresses of outbound connections; see the module comment. */
export class AddressGuard {
  readonly #allowLoopback: boolean
  readonly #allowPrivate: boolean
  readonly #lookup: AddressLookup
  /** The on-premises networks of local-only calls. */
  readonly localNetworks: NetworkList

  constructor(rules: AddressRules = {}, lookup: AddressLookup = systemLookup) {
    this.#allowLoopback = rules.allowLoopback ?? true
    this.#allowPrivate = rules.allowPrivate ?? false
    this.localNetworks = rules.localNetworks ?? new NetworkList(LOOPBACK_NETWORKS)
    this.#lookup = lookup
  }

  /** A guard of the egress settings (`settings.egress`, CIDRs as strings). */
  static of(settings: {
    readonly allowLoopback: boolean
    readonly allowPrivate: boolean
    readonly localNetworks: readonly string[]
  }): AddressGuard {
    return new AddressGuard({
      allowLoopback: settings.allowLoopback,
      allowPrivate: settings.allowPrivate,
      localNetworks: new NetworkList(settings.localNetworks),
    })
  }

  /** The category that makes `address` refused, or undefined when it may be reached. */
  refusal(address: string): AddressCategory | undefined {
    const category = categorize(address)
    if (ALWAYS_REFUSED.has(category)) return category
    if (category === 'loopback' && !this.#allowLoopback) return category
    // A private network the operator declared on the premises is theirs to reach.
    if (category === 'private' && !this.#allowPrivate && !this.localNetworks.contains(address)) {
      return category
    }
    return undefined
  }

  /** The first of {@link resolveAll}'s addresses: where a single connection goes. */
  async resolve(host: string, placement: Placement = 'anywhere'): Promise<string> {
    const [first] = await this.resolveAll(host, placement)
    return first as string
  }

  /**
   * Resolves `host` and returns every address it has, each judged. Throws
   * AION_EGRESS_ADDRESS_REFUSED when any of them is refused,
   * AION_EGRESS_NOT_LOCAL when `placement` is on-premises and any lies
   * outside the local networks; a failed lookup throws the resolver's error.
   */
  async resolveAll(host: string, placement: Placement = 'anywhere'): Promise<string[]> {
    const bare = host.replace(/^\[(.*)\]$/, '$1')
    const addresses = isIP(bare) === 0 ? await this.#lookup(bare) : [bare]
    if (addresses.length === 0) throw new Error(`${host} resolved to no address`)
    for (const address of addresses) {
      const category = this.refusal(address)
      if (category !== undefined) {
        throw new EgressAddressRefusedError({ host, address, category, hint: hintOf(category) })
      }
      if (placement === 'on-premises' && !this.localNetworks.contains(address)) {
        throw new EgressNotLocalError({
          host,
          address,
          networks: this.localNetworks.cidrs.join(','),
        })
      }
    }
    return [...addresses]
  }
}

function hintOf(category: AddressCategory): string {
  if (category === 'loopback') return ' (AION_EGRESS_ALLOW_LOOPBACK allows it)'
  if (category === 'private') return ' (AION_EGRESS_ALLOW_PRIVATE allows it)'
  return ''
}
