/** Azure OpenAI: deployment URLs with `api-version`, and the key in `api-key`. */
import type { ProviderEndpoint } from '../../core/settings/index.js'
import { defineProfile, type ProviderProfile } from './provider-profile.js'

/** An Azure OpenAI resource; the request's model names the deployment. */
export function azureProfile(
  endpoint: ProviderEndpoint & { readonly apiVersion: string },
): ProviderProfile {
  const version = encodeURIComponent(endpoint.apiVersion)
  return defineProfile('azure', endpoint, {
    chatPath: (basePath, model) =>
      `${basePath}/openai/deployments/${encodeURIComponent(model)}/chat/completions?api-version=${version}`,
    authHeaders: (key) => ({ 'api-key': key }),
    // The deployment in the URL decides the model.
    modelInBody: false,
  })
}
