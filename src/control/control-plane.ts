/**
 * The one interface through which the gateway reaches the control plane, so
 * the same gateway code runs in process (embedded) or against a remote
 * control plane (scale-out). Later issues add submit, get, stream and cancel.
 */

/** One dependency's health as seen by the control plane. */
export interface ReadinessCheck {
  readonly name: string
  readonly ok: boolean
  readonly detail?: string
}

export interface Readiness {
  readonly ready: boolean
  readonly checks: readonly ReadinessCheck[]
}

export interface ControlPlane {
  /** Whether the control plane can take work: store reachable, registries loaded. */
  readiness(): Promise<Readiness>
}
