/**
 * The port every model provider implements. One OpenAI-compatible client
 * serves OpenAI, Azure OpenAI, vLLM, Ollama and Hugging Face through thin
 * profiles; the control plane sees only this interface.
 */
import type { Placement } from '../core/egress/index.js'

export type ProviderName = 'openai' | 'azure' | 'vllm' | 'ollama' | 'hf'

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant'
  readonly content: string
}

/** Ask the model for JSON matching a schema (structured output where the provider has it). */
export interface JsonSchemaFormat {
  readonly type: 'json_schema'
  readonly name: string
  readonly schema: Record<string, unknown>
  /**
   * Ask for strict schema adherence. Strict mode accepts only a subset of
   * JSON Schema (every property required, no `allOf`/`if`); a richer schema
   * must go non-strict and be validated by the caller.
   * @default true
   */
  readonly strict?: boolean
}

export interface ChatRequest {
  /** Provider-side model name (`gpt-4.1-mini`, `qwen2.5`; for Azure the deployment). */
  readonly model: string
  readonly messages: readonly ChatMessage[]
  readonly maxOutputTokens?: number
  readonly temperature?: number
  readonly responseFormat?: JsonSchemaFormat | { readonly type: 'json_object' }
  /** Aborts the HTTP call at once (cancellation or deadline). */
  readonly signal: AbortSignal
  /**
   * Base URL of the model's own server (models.yml `endpoint`), in place of
   * the provider's. @default the provider's base URL
   */
  readonly endpoint?: string
  /**
   * `on-premises` for a call whose data must not leave the premises (privacy
   * local-only, or hybrid before redaction): it connects only to an address
   * inside the local networks, else fails AION_EGRESS_NOT_LOCAL with nothing
   * sent. @default 'anywhere'
   */
  readonly placement?: Placement
  /** W3C `traceparent` of the call, sent as that header. @default none */
  readonly traceparent?: string
}

export interface TokenUsage {
  readonly inputTokens: number
  readonly outputTokens: number
}

export interface ChatResult {
  readonly text: string
  readonly usage: TokenUsage
  readonly finishReason: string
  /** The model the provider says answered. */
  readonly model: string
}

/** What a streaming call yields: text deltas, then exactly one `done` (or it throws). */
export type ChatStreamEvent =
  | { readonly type: 'delta'; readonly text: string }
  | { readonly type: 'done'; readonly result: ChatResult }

export interface ModelProvider {
  readonly name: ProviderName
  /**
   * Whether a model served at `endpoint` (the provider's base URL when
   * undefined) can be on the premises, judged without resolving: an IP
   * literal must lie in the local networks; a host name counts until the
   * address it resolves to is judged at connect time.
   */
  isOnPremises(endpoint: string | undefined): boolean
  /** One completion. Throws a provider error (AION_PROVIDER_*) with `retryable` set. */
  complete(request: ChatRequest): Promise<ChatResult>
  /**
   * A streamed completion. A stream that ends without the provider's final
   * marker throws a retryable AION_PROVIDER_STREAM_CUT — never a silent end.
   */
  stream(request: ChatRequest): AsyncIterable<ChatStreamEvent>
}

/** The configured providers, by name; a provider absent here is not configured. */
export type ProviderSet = ReadonlyMap<ProviderName, ModelProvider>
