/**
 * The `distribution` section of the settings: how packages travel through OCI
 * registries (credentials, plain-HTTP registries, limits, timeouts) and which
 * signatures make a package installable. Parsed from values the settings
 * schema has already checked; {@link loadSettings} calls it.
 */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import type { SettingsProblem } from '../errors/index.js'
import { Secret } from '../secret.js'
import type { EgressSettings } from './egress-settings.js'

/** Credentials for one registry (`AION_REGISTRY_<ID>_HOST`, `_USERNAME`, `_PASSWORD`). */
export interface RegistryLogin {
  /** `host[:port]` as written in references, lower-cased. */
  readonly host: string
  readonly username: string
  readonly password: Secret
}

/** Package distribution: registries and signatures. */
export interface DistributionSettings {
  /** `AION_REGISTRY_AUTH_FILE`, absolute. @default `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json` */
  readonly authFile: string
  /** `AION_REGISTRY_<ID>_HOST` + `_USERNAME` + `_PASSWORD`; they win over the auth file. @default [] */
  readonly logins: readonly RegistryLogin[]
  /** `AION_REGISTRY_INSECURE`: registries reached over plain HTTP besides loopback ones, lower-cased. @default [] */
  readonly insecureRegistries: readonly string[]
  /** `AION_REGISTRY_MAX_BLOB_BYTES`. @default 1073741824 (1 GiB) */
  readonly maxBlobBytes: number
  /** `AION_REGISTRY_TIMEOUT_MS`: longest silence of a registry (headers, or between body chunks). @default 30000 */
  readonly timeoutMs: number
  /** `AION_TRUSTED_KEYS`: absolute paths of PEM public keys. @default [] */
  readonly trustedKeys: readonly string[]
  /** `AION_ALLOW_UNSIGNED` (development only). @default false */
  readonly allowUnsigned: boolean
  /** Which addresses registries may resolve to (`settings.egress`). @default loopback allowed, private not */
  readonly egress?: EgressSettings
}

const LOGIN_VARIABLE = /^AION_REGISTRY_([A-Z0-9]+)_(HOST|USERNAME|PASSWORD)$/
const LOGIN_PARTS = ['HOST', 'USERNAME', 'PASSWORD'] as const
const HOST = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$/

type Values = Record<string, unknown>

/** Expands a leading `~/` to the home directory, then resolves against `cwd`. */
function expandPath(path: string, home: string, cwd: string): string {
  return resolve(
    cwd,
    path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path,
  )
}

function list(value: unknown): string[] {
  return typeof value === 'string' ? value.split(',').map((item) => item.trim()) : []
}

/** The logins of `values`, and a problem for each incomplete set or malformed host. */
function registryLogins(values: Values): { logins: RegistryLogin[]; problems: SettingsProblem[] } {
  const sets = new Map<string, Partial<Record<(typeof LOGIN_PARTS)[number], string>>>()
  for (const [name, value] of Object.entries(values)) {
    const match = LOGIN_VARIABLE.exec(name)
    if (!match) continue
    const id = match[1] as string
    const set = sets.get(id) ?? {}
    set[match[2] as (typeof LOGIN_PARTS)[number]] = value as string
    sets.set(id, set)
  }
  const logins: RegistryLogin[] = []
  const problems: SettingsProblem[] = []
  for (const [id, set] of [...sets].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const missing = LOGIN_PARTS.filter((part) => set[part] === undefined)
    if (missing.length > 0) {
      const names = missing.map((part) => `AION_REGISTRY_${id}_${part}`).join(', ')
      problems.push({ variable: `AION_REGISTRY_${id}_*`, message: `needs ${names} as well` })
      continue
    }
    const host = set.HOST as string
    if (!HOST.test(host)) {
      problems.push({
        variable: `AION_REGISTRY_${id}_HOST`,
        message: 'must be host[:port] without a scheme or path',
      })
      continue
    }
    logins.push({
      host: host.toLowerCase(),
      username: set.USERNAME as string,
      password: new Secret(set.PASSWORD as string),
    })
  }
  return { logins, problems }
}

/**
 * The distribution settings of schema-checked `values`, with the problems the
 * schema cannot see (incomplete credential sets, malformed hosts).
 */
export function distributionSettings(
  values: Values,
  env: Record<string, string | undefined>,
  cwd: string,
): { settings: DistributionSettings; problems: SettingsProblem[] } {
  const home = env.HOME || homedir()
  const authFile = values.AION_REGISTRY_AUTH_FILE as string | undefined
  const dockerConfig = env.DOCKER_CONFIG
  const { logins, problems } = registryLogins(values)
  const insecureRegistries = list(values.AION_REGISTRY_INSECURE).map((host) => host.toLowerCase())
  for (const host of insecureRegistries) {
    if (!HOST.test(host)) {
      problems.push({
        variable: 'AION_REGISTRY_INSECURE',
        message: `${JSON.stringify(host)} is not host[:port]`,
      })
    }
  }
  const settings: DistributionSettings = {
    authFile:
      authFile !== undefined
        ? expandPath(authFile, home, cwd)
        : dockerConfig
          ? resolve(cwd, dockerConfig, 'config.json')
          : join(home, '.docker', 'config.json'),
    logins,
    insecureRegistries,
    maxBlobBytes: values.AION_REGISTRY_MAX_BLOB_BYTES as number,
    timeoutMs: values.AION_REGISTRY_TIMEOUT_MS as number,
    trustedKeys: list(values.AION_TRUSTED_KEYS)
      .filter((path) => path !== '')
      .map((path) => expandPath(path, home, cwd)),
    allowUnsigned: values.AION_ALLOW_UNSIGNED as boolean,
  }
  return { settings, problems }
}
