import type { RegistrySet } from '../core/registry/index.js'
import type { Store } from '../storage/index.js'
import type { ControlPlane, Readiness, ReadinessCheck } from './control-plane.js'

export interface EmbeddedControlPlaneOptions {
  readonly store: Store
  /** The active registry set with the version the store gave it. */
  readonly registries: { readonly set: RegistrySet; readonly version: number }
}

/** The control plane running in the same process as the gateway. */
export class EmbeddedControlPlane implements Pick<ControlPlane, 'readiness'> {
  readonly #store: Store
  readonly #registries: EmbeddedControlPlaneOptions['registries']

  constructor(options: EmbeddedControlPlaneOptions) {
    this.#store = options.store
    this.#registries = options.registries
  }

  async readiness(): Promise<Readiness> {
    const checks: ReadinessCheck[] = [await this.#storeCheck(), this.#registryCheck()]
    return { ready: checks.every((check) => check.ok), checks }
  }

  async #storeCheck(): Promise<ReadinessCheck> {
    try {
      await this.#store.ping()
      return { name: 'store', ok: true, detail: this.#store.engine }
    } catch {
      // The reason goes to the operator through the check; the cause stays in the logs.
      return { name: 'store', ok: false, detail: `${this.#store.engine} unreachable` }
    }
  }

  #registryCheck(): ReadinessCheck {
    const { set, version } = this.#registries
    return { name: 'registries', ok: true, detail: `v${version} ${set.contentHash.slice(0, 12)}` }
  }
}
