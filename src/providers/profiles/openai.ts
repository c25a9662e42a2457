/** OpenAI: the defaults, except that output is capped with `max_completion_tokens`. */
import type { ProviderEndpoint } from '../../core/settings/index.js'
import { defineProfile, type ProviderProfile } from './provider-profile.js'

/** The OpenAI API (`https://api.openai.com/v1`), Bearer key, strict json_schema output. */
export function openAiProfile(endpoint: ProviderEndpoint): ProviderProfile {
  // Reasoning models refuse `max_tokens`; every current model accepts this one.
  return defineProfile('openai', endpoint, { maxTokensField: 'max_completion_tokens' })
}
