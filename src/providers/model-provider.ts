/**
 * The port every model provider implements. One OpenAI-compatible client
 * serves OpenAI, Azure OpenAI, vLLM, Ollama and Hugging Face through thin
 * profiles; the control plane sees only this interface.
 */

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
