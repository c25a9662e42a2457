/**
 * The providers the settings configure, built once at startup, and their
 * shutdown. The server composes these; nothing else reads provider settings.
 */
import type { AddressGuard, EgressPolicy } from '../core/egress/index.js'
import type { ProviderEndpoint, ProviderSettings } from '../core/settings/index.js'
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
   * Origins providers may connect to. @default no allow-list: the configured
   * endpoints and models.yml's, as the address guard allows
   */
  readonly egress?: EgressPolicy
  /** Judges the address of every connection (`settings.egress`). @default loopback allowed, private not */
  readonly guard?: AddressGuard
  /** Most open connections per provider. @default 256 */
  readonly connections?: number
}

/** A configured provider: its profile, and the profile of a model's own base URL (same key). */
interface Configured {
  readonly profile: ProviderProfile
  readonly profileAt: (baseUrl: string) => ProviderProfile
}

function configured<E extends ProviderEndpoint>(
  endpoint: E,
  make: (endpoint: E) => ProviderProfile,
): Configured {
  return { profile: make(endpoint), profileAt: (baseUrl) => make({ ...endpoint, baseUrl }) }
}

function configuredProviders(settings: ProviderSettings): Configured[] {
  const all: Configured[] = []
  if (settings.openai) all.push(configured(settings.openai, openAiProfile))
  if (settings.azure) all.push(configured(settings.azure, azureProfile))
  if (settings.vllm) all.push(configured(settings.vllm, vllmProfile))
  if (settings.ollama) all.push(configured(settings.ollama, ollamaProfile))
  if (settings.hf) all.push(configured(settings.hf, hfProfile))
  return all
}

/** The profile of each configured provider. */
export function configuredProfiles(settings: ProviderSettings): ProviderProfile[] {
  return configuredProviders(settings).map((c) => c.profile)
}

/**
 * One client per configured provider; a provider without settings is absent.
 * A model's own `endpoint` (models.yml) is served by its provider's client
 * with the provider's key. Throws AION_PROVIDER_MISCONFIGURED for an
 * unusable base URL and AION_EGRESS_DENIED for an endpoint outside
 * `options.egress`.
 */
export function createProviders(
  settings: ProviderSettings,
  options: CreateProvidersOptions = {},
): ProviderSet {
  const providers = new Map<ProviderName, ModelProvider>()
  for (const { profile, profileAt } of configuredProviders(settings)) {
    const client = new OpenAiCompatibleClient(profile, {
      timeoutMs: settings.timeoutMs,
      profileAt,
      ...(options.egress === undefined ? {} : { egress: options.egress }),
      ...(options.guard === undefined ? {} : { guard: options.guard }),
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
