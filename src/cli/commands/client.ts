import { CliPlatformUnreachableError } from '../../core/errors/index.js'
import { loadSettings } from '../../core/settings/index.js'
import { AionClient } from '../../sdk/index.js'

/** Options every command that talks to a running platform accepts. */
export interface ClientOptions {
  readonly url?: string
  readonly key?: string
}

/** Connection failures that mean "nothing answers there", by the system's or undici's code. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
])

/** Why `fetch` failed to connect, when it did; undefined for any other error. */
function unreachableReason(error: unknown): string | undefined {
  if (!(error instanceof TypeError)) return undefined
  const cause = error.cause as { code?: unknown } | undefined
  const code = typeof cause?.code === 'string' ? cause.code : undefined
  return code !== undefined && UNREACHABLE.has(code) ? code : undefined
}

/** A client for `--url`/`--key`, else `AION_URL`/`AION_API_KEY`. */
export function clientFrom(options: ClientOptions): AionClient {
  const settings = loadSettings()
  const token = options.key ?? settings.client.apiKey?.reveal()
  const baseUrl = options.url ?? settings.client.url
  return new AionClient({
    baseUrl,
    ...(token === undefined ? {} : { token }),
    // A platform that is not there is a user's error, said in one line.
    fetch: async (input, init) => {
      try {
        return await fetch(input, init)
      } catch (error) {
        const reason = unreachableReason(error)
        if (reason === undefined) throw error
        throw new CliPlatformUnreachableError({ url: baseUrl, reason }, { cause: error })
      }
    },
  })
}
