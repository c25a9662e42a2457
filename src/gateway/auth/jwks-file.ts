/**
 * A JWKS read from a file, re-read when a token names a key the file did not
 * hold (rotation without restart), at most once per cooldown so a flood of
 * unknown `kid`s cannot turn into a flood of file reads.
 */
import { readFile } from 'node:fs/promises'
import {
  createLocalJWKSet,
  errors,
  type CryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose'
import { SettingsInvalidError } from '../../core/errors/index.js'

/** The key getter `jwtVerify` takes. */
export type JwksKeyGetter = (
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<CryptoKey>

/** Options of {@link openJwksFile}. */
export interface JwksFileOptions {
  /**
   * Least time between two re-reads of the file.
   * @default 5000
   */
  readonly reloadCooldownMs?: number
  /** Clock, for tests. @default Date.now */
  readonly nowMs?: () => number
}

/**
 * Reads the JWKS file once (a missing or malformed file fails at startup with
 * `AION_CONFIG_INVALID`) and returns a key getter that re-reads it on an
 * unknown key. A file that turns unreadable later keeps the last good set.
 */
export async function openJwksFile(
  path: string,
  options: JwksFileOptions = {},
): Promise<JwksKeyGetter> {
  const cooldownMs = options.reloadCooldownMs ?? 5000
  const nowMs = options.nowMs ?? Date.now
  let keySet = createLocalJWKSet(await readJwks(path))
  let loadedAtMs = nowMs()
  let reloading: Promise<void> | undefined

  const reload = () => {
    reloading ??= readJwks(path)
      .then((jwks) => {
        keySet = createLocalJWKSet(jwks)
      })
      .catch(() => undefined)
      .finally(() => {
        loadedAtMs = nowMs()
        reloading = undefined
      })
    return reloading
  }

  return async function jwksFileKey(header, token) {
    try {
      return await keySet(header, token)
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error
      if (reloading === undefined && nowMs() - loadedAtMs < cooldownMs) throw error
      await reload()
      return keySet(header, token)
    }
  }
}

async function readJwks(path: string): Promise<JSONWebKeySet> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new SettingsInvalidError(
      {
        problems: [
          { variable: 'AION_JWT_JWKS', message: `cannot read the JWKS file (${describe(error)})` },
        ],
      },
      { cause: error },
    )
  }
  if (!isJwks(parsed)) {
    throw new SettingsInvalidError({
      problems: [
        { variable: 'AION_JWT_JWKS', message: 'the file is not a JWKS ({"keys": [...]})' },
      ],
    })
  }
  return parsed
}

function isJwks(value: unknown): value is JSONWebKeySet {
  if (typeof value !== 'object' || value === null) return false
  const keys = (value as { keys?: unknown }).keys
  return Array.isArray(keys) && keys.every((key) => typeof key === 'object' && key !== null)
}

function describe(error: unknown): string {
  if (error instanceof SyntaxError) return 'not valid JSON'
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : 'unreadable'
}
