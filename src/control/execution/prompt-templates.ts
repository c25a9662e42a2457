/**
 * The prompts model engines get, per intent: summarize, answer, extract, and
 * a generic template for any other intent. Kept small and explicit so what a
 * model sees is reviewable in one place.
 */
import type { IntentSpec } from '../../core/registry/index.js'
import type { ChatMessage } from '../../providers/model-provider.js'

/** The messages of a call and whether the answer must be a JSON object. */
export interface Prompt {
  readonly messages: readonly ChatMessage[]
  /** True when the output is the parsed JSON answer rather than `{text}`. */
  readonly wantsJson: boolean
}

type Input = Readonly<Record<string, unknown>>

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

function summarize(input: Input): Prompt {
  const sentences = typeof input.max_sentences === 'number' ? input.max_sentences : 3
  return {
    wantsJson: false,
    messages: [
      {
        role: 'system',
        content: `Summarize the user's text in at most ${sentences} sentence${sentences === 1 ? '' : 's'}. Answer with the summary only.`,
      },
      { role: 'user', content: str(input.text) ?? JSON.stringify(input) },
    ],
  }
}

function answer(input: Input): Prompt {
  const context = str(input.context)
  return {
    wantsJson: false,
    messages: [
      {
        role: 'system',
        content: context
          ? 'Answer the question using the context given. Say so when the context does not hold the answer.'
          : 'Answer the question concisely and accurately.',
      },
      {
        role: 'user',
        content: context
          ? `Context:\n${context}\n\nQuestion: ${str(input.question) ?? ''}`
          : (str(input.question) ?? JSON.stringify(input)),
      },
    ],
  }
}

function extract(input: Input): Prompt {
  const fields = Array.isArray(input.fields)
    ? input.fields.filter((f) => typeof f === 'string')
    : []
  return {
    wantsJson: true,
    messages: [
      {
        role: 'system',
        content: `Extract these fields from the user's text: ${fields.join(', ')}. Answer with one JSON object whose keys are exactly those fields; use null for a field the text does not give.`,
      },
      { role: 'user', content: str(input.text) ?? JSON.stringify(input) },
    ],
  }
}

function generic(intent: string, spec: IntentSpec | undefined, input: Input): Prompt {
  const purpose = spec?.description ? ` ${spec.description}` : ''
  return {
    wantsJson: false,
    messages: [
      { role: 'system', content: `Task "${intent}".${purpose} The input is JSON.` },
      { role: 'user', content: JSON.stringify(input) },
    ],
  }
}

/** The prompt of a task of `intent` with `input`. */
export function promptFor(intent: string, spec: IntentSpec | undefined, input: Input): Prompt {
  switch (intent) {
    case 'summarize':
      return summarize(input)
    case 'answer':
      return answer(input)
    case 'extract':
      return extract(input)
    default:
      return generic(intent, spec, input)
  }
}

/** UTF-8 bytes of the prompt's text, for token estimates. */
export function promptBytes(prompt: Prompt): number {
  let bytes = 0
  for (const message of prompt.messages) bytes += Buffer.byteLength(message.content) + 4
  return bytes
}
