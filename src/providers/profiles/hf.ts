/**
 * Hugging Face TGI / Inference Endpoints: `/v1/chat/completions` with a
 * Bearer token; structured output is TGI's grammar, `{type: 'json', value}`.
 */
import type { ProviderEndpoint } from '../../core/settings/index.js'
import { defineProfile, v1ChatPath, type ProviderProfile } from './provider-profile.js'

/** A TGI server or Inference Endpoint. */
export function hfProfile(endpoint: ProviderEndpoint): ProviderProfile {
  return defineProfile('hf', endpoint, {
    chatPath: v1ChatPath,
    responseFormat: (format) => ({
      type: 'json',
      value: format.type === 'json_schema' ? format.schema : { type: 'object' },
    }),
  })
}
