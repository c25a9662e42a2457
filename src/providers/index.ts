/** Model providers: the port, the OpenAI-compatible client and its profiles, cost. */
export * from './model-provider.js'
export * from './cost.js'
export {
  OpenAiCompatibleClient,
  type OpenAiCompatibleClientOptions,
} from './openai-compatible-client.js'
export {
  closeProviders,
  configuredProfiles,
  createProviders,
  type CreateProvidersOptions,
} from './create-providers.js'
export type { ProviderProfile, ResponseFormat } from './profiles/provider-profile.js'
export { SseParser, type SseEvent } from './sse-parser.js'
