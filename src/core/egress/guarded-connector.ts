/**
 * An undici connector that asks the {@link AddressGuard} before any socket
 * exists: a refused address fails the request with its AION_EGRESS_* error
 * and not a byte leaves. Every pool, agent and `fetch` that reaches outside
 * the process is built with one; undici follows no redirect on its own.
 */
import { Agent, buildConnector } from 'undici'
import type { AddressGuard, Placement } from './address-guard.js'

/** Options of {@link guardedConnector}. */
export interface GuardedConnectorOptions {
  /** Where the connection must land. @default 'anywhere' */
  readonly placement?: Placement
  /** undici's own connect options (timeout, TLS). @default {} */
  readonly connect?: buildConnector.BuildOptions
}

/** A connector for undici's `connect` option that connects only to addresses `guard` allows. */
export function guardedConnector(
  guard: AddressGuard,
  options: GuardedConnectorOptions = {},
): buildConnector.connector {
  const connect = buildConnector(options.connect ?? {})
  const placement = options.placement ?? 'anywhere'
  return function guardedConnect(target, callback) {
    guard.resolve(target.hostname, placement).then(
      // `host` still names the server, so TLS verifies and sends SNI for its name.
      (address) => connect({ ...target, hostname: address }, callback),
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
