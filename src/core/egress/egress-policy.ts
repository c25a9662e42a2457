/**
 * The allow-list of outbound network destinations. Model providers check
 * their endpoints against it; module network host calls go through the same
 * class. Anything not listed is denied.
 */
import { EgressDeniedError, EgressRuleInvalidError } from '../errors/index.js'

/**
 * An allow-list of destinations. Each rule is one of:
 * - an origin, `https://api.openai.com` or `http://127.0.0.1:11434`: that
 *   scheme, host and port only (a path in the rule is ignored);
 * - a host name or IP, `api.openai.com`, `[::1]`: that host over http or
 *   https, on any port;
 * - `*.example.com`: any subdomain of `example.com` over http or https (not
 *   `example.com` itself).
 *
 * Hosts compare after URL normalisation (lower case, punycode), so
 * `http://user@evil.test` style tricks match on the real host only.
 */
export class EgressPolicy {
  readonly #origins = new Set<string>()
  readonly #hosts = new Set<string>()
  readonly #suffixes: string[] = []

  /** @param rules origins, hosts or `*.suffix` patterns; an invalid one throws {@link EgressRuleInvalidError}. */
  constructor(rules: Iterable<string>) {
    for (const rule of rules) this.#add(rule)
  }

  /** A policy that allows nothing. */
  static denyAll(): EgressPolicy {
    return new EgressPolicy([])
  }

  /** Whether a call to `url` is allowed. */
  allows(url: URL): boolean {
    if (this.#origins.has(url.origin)) return true
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
    const host = url.hostname
    if (this.#hosts.has(host)) return true
    return this.#suffixes.some((suffix) => host.endsWith(suffix))
  }

  /** Throws {@link EgressDeniedError} (naming the origin only) unless `url` is allowed. */
  assertAllowed(url: URL): void {
    if (!this.allows(url)) throw new EgressDeniedError({ origin: url.origin })
  }

  #add(rule: string): void {
    const trimmed = rule.trim()
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
      const origin = parse(trimmed)?.origin
      if (origin === undefined || origin === 'null') throw new EgressRuleInvalidError({ rule })
      this.#origins.add(origin)
      return
    }
    const wildcard = trimmed.startsWith('*.')
    const hostname = bareHostname(wildcard ? trimmed.slice(2) : trimmed)
    if (hostname === undefined) throw new EgressRuleInvalidError({ rule })
    if (wildcard) this.#suffixes.push(`.${hostname}`)
    else this.#hosts.add(hostname)
  }
}

/** The normalised host name of a rule that is a bare host (no port, user, path or query). */
function bareHostname(text: string): string | undefined {
  const url = parse(`http://${text}`)
  if (url === undefined || url.hostname === '' || url.host !== url.hostname) return undefined
  if (url.username !== '' || url.password !== '') return undefined
  return `${url.pathname}${url.search}${url.hash}` === '/' ? url.hostname : undefined
}

function parse(text: string): URL | undefined {
  return URL.canParse(text) ? new URL(text) : undefined
}
