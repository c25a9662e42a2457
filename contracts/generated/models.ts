/* Generated from contracts/schemas/models.schema.json by `npm run contracts:gen`. Do not edit. */

/**
 * This interface was referenced by `ModelsRegistry`'s JSON-Schema
 * via the `definition` "modelRef".
 */
export type ModelsRegistryModelRef = string

/**
 * models.yml: model tiers (lists of `provider:model` refs) and the details of every model, its prices included.
 */
export interface ModelsRegistry {
  /**
   * Tiers by name; a tier lists either local models (ollama, vllm) or cloud models (openai, azure, hf), never both.
   */
  tiers: {
    [k: string]: ModelTier
  }
  /**
   * Every model a tier names, by its `provider:model` ref.
   */
  models: {
    [k: string]: ModelSpec
  }
}
/**
 * This interface was referenced by `ModelsRegistry`'s JSON-Schema
 * via the `definition` "tier".
 */
export interface ModelTier {
  /**
   * @minItems 1
   */
  local?: string[]
  /**
   * @minItems 1
   */
  cloud?: string[]
}
/**
 * This interface was referenced by `ModelsRegistry`'s JSON-Schema
 * via the `definition` "model".
 */
export interface ModelSpec {
  /**
   * The provider serving the model; must equal the ref's prefix.
   */
  provider: 'ollama' | 'vllm' | 'openai' | 'azure' | 'hf'
  price_per_1k_input_usd: number
  price_per_1k_output_usd: number
  context_tokens?: number
  /**
   * Base URL of the provider's API for this model; absent means the provider's default.
   */
  endpoint?: string
  /**
   * The model name the provider's API expects (an Azure deployment, a Hugging Face repo id); absent means the part of the ref after the colon.
   */
  upstream_model?: string
  description?: string
}
