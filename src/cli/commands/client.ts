import { loadSettings } from '../../core/settings/index.js'
import { AionClient } from '../../sdk/index.js'

/** Options every command that talks to a running platform accepts. */
export interface ClientOptions {
  readonly url?: string
  readonly key?: string
}

/** A client for `--url`/`--key`, else `AION_URL`/`AION_API_KEY`. */
export function clientFrom(options: ClientOptions): AionClient {
  const settings = loadSettings()
  const token = options.key ?? settings.client.apiKey?.reveal()
  return new AionClient({
    baseUrl: options.url ?? settings.client.url,
    ...(token === undefined ? {} : { token }),
  })
}
