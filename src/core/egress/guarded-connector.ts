/**
 * An undici connector that asks the {@link AddressGuard} before any socket
 * connects: a refused address fails the request with its AION_EGRESS_* error
 * and not a byte leaves. The guard resolves a host name as the socket's own
 * lookup, so the socket connects only to the addresses judged (all of them
 * offered, so Node's happy-eyeballs still picks a family that answers); an
 * address literal, which sockets never look up, is judged before connecting.
 * Every pool, agent and `fetch` that reaches outside the process is built
 * with one; undici follows no redirect on its own.
 */
import type { LookupFunction } from 'node:net'
import { isIP } from 'node:net'
import { Agent, buildConnector } from 'undici'
import type { AddressGuard, Placement } from './address-guard.js'

/** Options of {@link guardedConnector}. */
export interface GuardedConnectorOptions {
  /** Where the connection must land. @default 'anywhere' */
  readonly placement?: Placement
  /** undici's own connect options (timeout, TLS). @default {} */
  readonly connect?: buildConnector.BuildOptions
}

/** A `lookup` for sockets that answers only with addresses `guard` judged. */
function judgedLookup(guard: AddressGuard, placement: Placement): LookupFunction {
  return function lookup(hostname, options, callback) {
    guard.resolveAll(hostname, placement).then(
      (addresses) => {
        const entries = addresses.map((address) => ({ address, family: isIP(address) }))
        if (options.all === true) callback(null, entries)
        else callback(null, entries[0]?.address ?? '', entries[0]?.family ?? 4)
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    )
  }
}

/** A connector for undici's `connect` option that connects only to addresses `guard` allows. */
export function guardedConnector(
  guard: AddressGuard,
  options: GuardedConnectorOptions = {},
): buildConnector.connector {
  const placement = options.placement ?? 'anywhere'
  const connect = buildConnector({
    ...options.connect,
    lookup: judgedLookup(guard, placement),
  } as buildConnector.BuildOptions)
  return function guardedConnect(target, callback) {
    if (isIP(target.hostname) === 0) return connect(target, callback)
    guard.resolveAll(target.hostname, placement).then(
      () => connect(target, callback),
      (error: Error) => callback(error, null),
    )
  }
}

/** An undici Agent (for `request`, `fetch`, `Pool` factories) whose every connection is guarded. */
export function guardedAgent(
  guard: AddressGuard,
  options: GuardedConnectorOptions & Omit<Agent.Options, 'connect'> = {},
): Agent {
  const { placement, connect, ...agentOptions } = options
  return new Agent({
    ...agentOptions,
    connect: guardedConnector(guard, {
      ...(placement === undefined ? {} : { placement }),
      ...(connect === undefined ? {} : { connect }),
    }),
  })
}
