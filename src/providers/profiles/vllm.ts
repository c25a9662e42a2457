/** vLLM's OpenAI-compatible server: `/v1`, a Bearer key only when it wants one. */
import type { ProviderEndpoint } from '../../core/settings/index.js'
import { defineProfile, v1ChatPath, type ProviderProfile } from './provider-profile.js'

/** A vLLM server (`vllm serve`); json_schema output as OpenAI's. */
export function vllmProfile(endpoint: ProviderEndpoint): ProviderProfile {
  return defineProfile('vllm', endpoint, { chatPath: v1ChatPath })
}
