/**
 * Where a module's `aion_http.fetch` may go: the manifest's `permissions.network`
 * (deny by default) turned into EgressPolicy rules, the same class that guards
 * providers, and, when the platform sets one, its own egress policy as well: a URL
 * must pass both.
 *
 * Manifest entries are host names, `*.suffix` patterns, either with `:port`. A
 * bare entry allows that host over http or https on any port (EgressPolicy's host
 * rule); with a port, only that port (the URL's explicit port or its scheme's
 * default).
 */
import type { AipManifest } from '../../../contracts/generated/index.js'
import { EgressPolicy } from '../../core/egress/index.js'

interface Rule {
  readonly policy: EgressPolicy
  readonly port: number | undefined
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 }

function effectivePort(url: URL): number | undefined {
  return url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port)
}

function ruleOf(entry: string): Rule {
  const match = /^(.*?)(?::([0-9]+))?$/.exec(entry)
  const host = match?.[1] ?? entry
  const port = match?.[2] === undefined ? undefined : Number(match[2])
  return { policy: new EgressPolicy([host]), port }
}

/** A module's egress rules; anything not allowed is denied. */
export class ModuleEgress {
  readonly #rules: readonly Rule[]

  /**
   * @param network the manifest's `permissions.network`
   * @param platform the platform's egress policy, when it has one
   */
  constructor(
    network: AipManifest['permissions']['network'],
    private readonly platform?: EgressPolicy,
  ) {
    this.#rules = network === 'deny' ? [] : network.allow.map(ruleOf)
  }

  /** Whether the module may call `url`. */
  allows(url: URL): boolean {
    if (this.platform && !this.platform.allows(url)) return false
    const port = effectivePort(url)
    return this.#rules.some(
      (rule) => rule.policy.allows(url) && (rule.port === undefined || rule.port === port),
    )
  }
}
