/**
 * The providers the settings configure, built once at startup, and their
 * shutdown. The server composes these; nothing else reads provider settings.
 */
import { EgressPolicy } from '../core/egress/index.js'
import type { ProviderSettings } from '../core/settings/index.js'
import type { ModelProvider, ProviderName, ProviderSet } from './model-provider.js'
import { OpenAiCompatibleClient } from './openai-compatible-client.js'
import { azureProfile } from './profiles/azure.js'
import { hfProfile } from './profiles/hf.js'
import { ollamaProfile } from './profiles/ollama.js'
import { openAiProfile } from './profiles/openai.js'
import type { ProviderProfile } from './profiles/provider-profile.js'
import { vllmProfile } from './profiles/vllm.js'

/** Options of {@link createProviders}. */
export interface CreateProvidersOptions {
  /**
   * Where providers may connect. @default the origins of the configured
   * endpoints, and nothing else
   */
  readonly egress?: EgressPolicy
  /** Most open connections per provider. @default 256 */
  readonly connections?: number
}

/** The profile of each configured provider. */
export function configuredProfiles(settings: ProviderSettings): ProviderProfile[] {
  const profiles: ProviderProfile[] = []
  if (settings.openai) profiles.push(openAiProfile(settings.openai))
  if (settings.azure) profiles.push(azureProfile(settings.azure))
  if (settings.vllm) profiles.push(vllmProfile(settings.vllm))
  if (settings.ollama) profiles.push(ollamaProfile(settings.ollama))
  if (settings.hf) profiles.push(hfProfile(settings.hf))
  return profiles
}

/**
 * One client per configured provider; a provider without settings is absent.
 * Throws AION_PROVIDER_MISCONFIGURED for an unusable base URL and
 * AION_EGRESS_DENIED for an endpoint outside `options.egress`.
 */
export function createProviders(
  settings: ProviderSettings,
  options: CreateProvidersOptions = {},
): ProviderSet {
  const profiles = configuredProfiles(settings)
  const egress = options.egress ?? new EgressPolicy(profiles.map((p) => p.origin))
  const providers = new Map<ProviderName, ModelProvider>()
  for (const profile of profiles) {
    const client = new OpenAiCompatibleClient(profile, {
      timeoutMs: settings.timeoutMs,
      egress,
      ...(options.connections === undefined ? {} : { connections: options.connections }),
    })
    providers.set(profile.name, client)
  }
  return providers
}

/** Closes the connection pools of a set made by {@link createProviders}. */
export async function closeProviders(set: ProviderSet): Promise<void> {
  const closing: Promise<void>[] = []
  for (const provider of set.values()) {
    if (provider instanceof OpenAiCompatibleClient) closing.push(provider.close())
  }
  await Promise.all(closing)
}
