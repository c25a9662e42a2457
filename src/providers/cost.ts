/**
 * Token estimates and cost from models.yml prices. The router estimates with
 * these before a call; the orchestrator charges actual usage after it.
 */
import type { ModelSpec } from '../../contracts/generated/index.js'
import type { TokenUsage } from './model-provider.js'

/** Prices of one model, per 1k tokens (zero for local models). */
export type ModelPrice = Pick<ModelSpec, 'price_per_1k_input_usd' | 'price_per_1k_output_usd'>

/** Cost of a call in US dollars, rounded to 1e-9 so sums stay stable. */
export function costUsd(price: ModelPrice, usage: TokenUsage): number {
  const raw =
    (usage.inputTokens * price.price_per_1k_input_usd +
      usage.outputTokens * price.price_per_1k_output_usd) /
    1000
  return Math.round(raw * 1e9) / 1e9
}

/**
 * Tokens in a text, estimated without a tokenizer: about four bytes of
 * English per token for BPE vocabularies, never less than one per word-ish
 * chunk. Cheap enough for the hot path; only estimates use it.
 */
export function estimateTokens(utf8Bytes: number): number {
  return utf8Bytes === 0 ? 0 : Math.ceil(utf8Bytes / 4)
}
