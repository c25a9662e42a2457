/**
 * A list of networks (CIDRs) an address is matched against after it is
 * normalised, so `::ffff:127.0.0.1` is inside `127.0.0.0/8`. It holds the
 * networks the operator declares on the premises (`AION_LOCAL_NETWORKS`).
 */
import { BlockList } from 'node:net'
import { addCidr, normalizeAddress } from './ip-address.js'

/** Loopback only: the default of `AION_LOCAL_NETWORKS`. */
export const LOOPBACK_NETWORKS: readonly string[] = ['127.0.0.0/8', '::1/128']

/** Networks by CIDR (`10.0.0.0/8`, `fd00::/8`) or single address. */
export class NetworkList {
  readonly #list = new BlockList()
  /** The networks as given, for messages. */
  readonly cidrs: readonly string[]

  /** Throws a TypeError naming the first entry that is no CIDR; see {@link invalidCidrs}. */
  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      if (!addCidr(this.#list, cidr)) throw new TypeError(`${cidr} is not a CIDR`)
    }
    this.cidrs = cidrs.map((cidr) => cidr.trim())
  }

  /** Whether the IP address `address` lies in one of the networks. */
  contains(address: string): boolean {
    const normal = normalizeAddress(address)
    return normal !== undefined && this.#list.check(normal.address, normal.family)
  }
}

/** The entries of `cidrs` that are no CIDR (for settings validation). */
export function invalidCidrs(cidrs: readonly string[]): string[] {
  return cidrs.filter((cidr) => !addCidr(new BlockList(), cidr))
}
