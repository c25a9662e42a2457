/**
 * Registry credentials: the logins of the settings (`AION_REGISTRY_<ID>_*`)
 * first, then a Docker-style config file (`auths` → `{ auth: base64("user:pass") }`,
 * or `username`/`password`), as `docker login` and `oras login` write it. The
 * file is read once, on the first lookup; a missing file means no credentials,
 * an unreadable or malformed one is AION_OCI_CREDENTIALS_INVALID. Credential
 * helpers (`credsStore`, `credHelpers`) and identity tokens are not used.
 */
import { readFile } from 'node:fs/promises'
import { OciCredentialsInvalidError } from '../../core/errors/index.js'
import type { RegistryLogin } from '../../core/settings/index.js'
import { Secret } from '../../core/secret.js'

/** A username and password for one registry. */
export interface RegistryCredentials {
  readonly username: string
  readonly password: Secret
}

/** Where the client finds credentials for a registry (`host[:port]`). */
export interface CredentialSource {
  credentialsFor(registry: string): Promise<RegistryCredentials | undefined>
}

/** No credentials for any registry (anonymous access only). */
export const anonymous: CredentialSource = {
  credentialsFor: () => Promise.resolve(undefined),
}

/** `auths` keys may carry a scheme and a path (`https://index.docker.io/v1/`): keep `host[:port]`. */
function authsKey(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase()
}

/** Docker Hub's credentials are filed under its index, whichever host a reference names. */
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io'])

function parseAuths(file: string, text: string): Map<string, RegistryCredentials> {
  const invalid = (detail: string) => new OciCredentialsInvalidError({ file, detail })
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw invalid(`is not JSON: ${(error as Error).message}`)
  }
  if (typeof json !== 'object' || json === null) throw invalid('is not a JSON object')
  const auths = (json as { auths?: unknown }).auths ?? {}
  if (typeof auths !== 'object' || auths === null) throw invalid('`auths` is not an object')
  const found = new Map<string, RegistryCredentials>()
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    const { auth, username, password } = (entry ?? {}) as Record<string, unknown>
    let user: string | undefined
    let pass: string | undefined
    if (typeof auth === 'string' && auth !== '') {
      const decoded = Buffer.from(auth, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon < 0)
        throw invalid(`auths[${JSON.stringify(key)}].auth is not base64 "user:password"`)
      user = decoded.slice(0, colon)
      pass = decoded.slice(colon + 1)
    } else if (typeof username === 'string' && typeof password === 'string') {
      user = username
      pass = password
    }
    if (user === undefined || pass === undefined) continue
    const host = authsKey(key)
    const credentials = { username: user, password: new Secret(pass) }
    found.set(host, credentials)
    if (DOCKER_HUB_HOSTS.has(host))
      for (const alias of DOCKER_HUB_HOSTS) found.set(alias, credentials)
  }
  return found
}

/** Reads the Docker-style config at `file` (once). */
export function dockerConfigCredentials(file: string): CredentialSource {
  let loaded: Promise<Map<string, RegistryCredentials>> | undefined
  const load = async () => {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
      throw new OciCredentialsInvalidError(
        { file, detail: `cannot be read: ${(error as Error).message}` },
        { cause: error },
      )
    }
    return parseAuths(file, text)
  }
  return {
    async credentialsFor(registry) {
      loaded ??= load()
      return (await loaded).get(registry.toLowerCase())
    },
  }
}

/** The settings' logins, then `fallback` (usually {@link dockerConfigCredentials}). */
export function settingsCredentials(
  logins: readonly RegistryLogin[],
  fallback: CredentialSource = anonymous,
): CredentialSource {
  return {
    async credentialsFor(registry) {
      const login = logins.find((l) => l.host === registry.toLowerCase())
      if (login) return { username: login.username, password: login.password }
      return fallback.credentialsFor(registry)
    },
  }
}
