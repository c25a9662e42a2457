/** The address rules of every outbound connection (see core/egress/address-guard.ts). */
export interface EgressSettings {
  /** `AION_EGRESS_ALLOW_LOOPBACK`. @default true */
  readonly allowLoopback: boolean
  /** `AION_EGRESS_ALLOW_PRIVATE`. @default false */
  readonly allowPrivate: boolean
  /** `AION_LOCAL_NETWORKS`, as CIDRs. @default ['127.0.0.0/8', '::1/128'] */
  readonly localNetworks: readonly string[]
}
