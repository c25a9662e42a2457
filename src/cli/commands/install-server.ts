/**
 * `aionctl install --server <ref>`: asks the running platform to install the
 * package (POST /v1/admin/modules/install, operator scope), which verifies,
 * registers and serves it without a restart. Prints the installed package; a
 * quarantine (422) or an outage (503, retryable) exits 1 with the code.
 */
import { loadSettings } from '../../core/settings/index.js'
import { AionApiError } from '../../sdk/index.js'

/** `--url` and `--key`, else AION_URL and AION_API_KEY. */
export interface ServerOptions {
  readonly url?: string
  readonly key?: string
  readonly json?: boolean
}

export async function installOnServer(reference: string, options: ServerOptions): Promise<void> {
  const settings = loadSettings()
  const url = (options.url ?? settings.client.url).replace(/\/+$/, '')
  const key = options.key ?? settings.client.apiKey?.reveal()
  const response = await fetch(`${url}/v1/admin/modules/install`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({ ref: reference }),
  })
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>
  if (!response.ok) {
    throw new AionApiError(response.status, String(body.code ?? response.status), body)
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
    return
  }
  const line = `installed ${String(body.name)} ${String(body.version)} ${String(body.digest)}`
  const signer = `  signer  ${String(body.signer_key_id ?? 'none (UNSIGNED)')}`
  process.stdout.write(`${line}\n${signer}\n  sbom    ${String(body.sbom_ref ?? 'none')}\n`)
}
