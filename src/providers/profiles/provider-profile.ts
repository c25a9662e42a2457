/**
 * What one provider's dialect of the OpenAI chat-completions API looks like.
 * {@link defineProfile} holds the OpenAI defaults; each profile file states
 * only what differs.
 */
import { ProviderMisconfiguredError } from '../../core/errors/index.js'
import type { ProviderEndpoint } from '../../core/settings/index.js'
import type { ChatRequest, ProviderName } from '../model-provider.js'

/** A structured-output request, as the port states it. */
export type ResponseFormat = NonNullable<ChatRequest['responseFormat']>

/** One provider's dialect, resolved once from its endpoint. */
export interface ProviderProfile {
  readonly name: ProviderName
  /** Scheme, host and port of every call (`https://api.openai.com`). */
  readonly origin: string
  /** Path and query of chat completions for `model`. */
  chatPath(model: string): string
  /** Headers every call sends, credential included; built once. */
  readonly headers: Readonly<Record<string, string>>
  /** Whether the body names the model (Azure's URL names the deployment instead). */
  readonly modelInBody: boolean
  /** The body field that caps output tokens. */
  readonly maxTokensField: 'max_tokens' | 'max_completion_tokens'
  /** The `response_format` value for a structured-output request. */
  responseFormat(format: ResponseFormat): unknown
  /** Values that must never appear in an error message (the API key). */
  readonly secrets: readonly string[]
}

/** What a profile may state differently from OpenAI. */
export interface ProfileDifferences {
  /** @default `${basePath}/chat/completions` */
  readonly chatPath?: (basePath: string, model: string) => string
  /** @default Bearer `Authorization` when a key is configured, none otherwise */
  readonly authHeaders?: (apiKey: string) => Record<string, string>
  /** Whether a configured key is sent at all. @default true */
  readonly sendsKey?: boolean
  /** @default true */
  readonly modelInBody?: boolean
  /** @default 'max_tokens' */
  readonly maxTokensField?: ProviderProfile['maxTokensField']
  /** @default OpenAI's `{type: 'json_schema', json_schema: {name, schema, strict: true}}` */
  readonly responseFormat?: (format: ResponseFormat) => unknown
}

/** OpenAI's structured-output shape; strict so the model must follow the schema. */
export function openAiResponseFormat(format: ResponseFormat): unknown {
  if (format.type === 'json_object') return { type: 'json_object' }
  return {
    type: 'json_schema',
    json_schema: { name: format.name, schema: format.schema, strict: format.strict ?? true },
  }
}

/** Chat completions under `/v1`, appending `/v1` when the base URL leaves it out. */
export function v1ChatPath(basePath: string): string {
  return `${basePath.endsWith('/v1') ? basePath : `${basePath}/v1`}/chat/completions`
}

/** Builds a profile from an endpoint of settings: OpenAI's defaults plus `differs`. */
export function defineProfile(
  name: ProviderName,
  endpoint: ProviderEndpoint,
  differs: ProfileDifferences = {},
): ProviderProfile {
  const base = parseBaseUrl(name, endpoint.baseUrl)
  const basePath = base.pathname.replace(/\/+$/, '')
  const key = differs.sendsKey === false ? undefined : endpoint.apiKey?.reveal()
  const auth = key === undefined ? {} : (differs.authHeaders ?? bearer)(key)
  const chatPath = differs.chatPath ?? ((path: string) => `${path}/chat/completions`)
  return {
    name,
    origin: base.origin,
    chatPath: (model) => chatPath(basePath, model),
    headers: { 'content-type': 'application/json', ...auth },
    modelInBody: differs.modelInBody ?? true,
    maxTokensField: differs.maxTokensField ?? 'max_tokens',
    responseFormat: differs.responseFormat ?? openAiResponseFormat,
    secrets: key === undefined ? [] : [key],
  }
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

// The URL itself is never echoed: it may carry credentials.
function parseBaseUrl(provider: ProviderName, baseUrl: string): URL {
  const url = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ProviderMisconfiguredError({ provider, reason: 'the base URL is not an http(s) URL' })
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ProviderMisconfiguredError({
      provider,
      reason: 'the base URL must not carry credentials, a query or a fragment',
    })
  }
  return url
}
