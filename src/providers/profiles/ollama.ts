/** Ollama through its OpenAI-compatible `/v1` endpoint, which takes no key. */
import type { ProviderEndpoint } from '../../core/settings/index.js'
import { defineProfile, v1ChatPath, type ProviderProfile } from './provider-profile.js'

/** A local Ollama (`http://127.0.0.1:11434`, `/v1` appended when missing). */
export function ollamaProfile(endpoint: ProviderEndpoint): ProviderProfile {
  return defineProfile('ollama', endpoint, { chatPath: v1ChatPath, sendsKey: false })
}
