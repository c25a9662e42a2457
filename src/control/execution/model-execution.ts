/**
 * Running a model engine: prompt per intent, budget reserved before the call
 * and settled after it, the provider's circuit consulted and fed, every
 * streamed delta forwarded as a `token` event.
 */
import {
  CircuitOpenError,
  EngineUnavailableError,
  ModelOutputInvalidError,
} from '../../core/errors/index.js'
import { childTraceparent } from '../../core/traceparent.js'
import { costUsd } from '../../providers/cost.js'
import type { ChatRequest, ChatResult, ModelProvider } from '../../providers/model-provider.js'
import { estimateTokens } from '../../providers/cost.js'
import type { JsonValue } from '../../core/domain/index.js'
import type { BudgetReservation } from '../budget/budget-ledger.js'
import type { EngineOutcome, EngineTarget, ExecutionDeps } from './execution-deps.js'
import { promptBytes, promptFor, type Prompt } from './prompt-templates.js'
import type { TaskContext } from './task-context.js'
import { modelPlacement } from './task-privacy.js'

type Price = { price_per_1k_input_usd: number; price_per_1k_output_usd: number }

/** Completion tokens to allow: the estimate (at least 256), no more than the budget (within the hard cap) pays for. */
function maxOutputTokens(ctx: TaskContext, price: Price, inputTokens: number): number {
  const wanted = Math.max(256, ctx.features.estimatedOutputTokens)
  if (price.price_per_1k_output_usd <= 0) return wanted
  const budgetUsd = Math.min(
    ctx.features.budgetUsd,
    ctx.registries.set.policies.budget.hard_cap_usd,
  )
  const inputUsd = (inputTokens * price.price_per_1k_input_usd) / 1000
  const affordable = Math.floor(((budgetUsd - inputUsd) * 1000) / price.price_per_1k_output_usd)
  return Math.max(1, Math.min(wanted, affordable))
}

function toOutput(prompt: Prompt, text: string, engine: string): JsonValue {
  if (!prompt.wantsJson) return { text }
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as JsonValue
    }
    throw new TypeError('not a JSON object')
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new ModelOutputInvalidError({ engine, detail })
  }
}

async function call(
  provider: ModelProvider,
  request: ChatRequest,
  ctx: TaskContext,
  step: number | undefined,
): Promise<ChatResult> {
  if (!ctx.request.stream) return provider.complete(request)
  for await (const event of provider.stream(request)) {
    if (event.type === 'done') return event.result
    if (event.text.length === 0) continue
    ctx.streamedOutput = true
    ctx.stream.token(event.text, step)
  }
  // The port promises `done` or a throw; a provider breaking it is a provider fault.
  throw new EngineUnavailableError({
    engine: provider.name,
    reason: 'stream ended without a result',
  })
}

/** What a model call is made on: the task's input, or a pipeline step's data. */
export interface ModelInput {
  readonly input: Readonly<Record<string, unknown>>
  /** The pipeline step making the call (its tokens carry it). */
  readonly step?: number
  /** A redact step processed the input right before. @default false */
  readonly redacted?: boolean
}

/** Runs one model call for the task on `target`, over the task's input unless `over` says otherwise. */
export async function runModel(
  deps: ExecutionDeps,
  ctx: TaskContext,
  target: EngineTarget,
  signal: AbortSignal,
  over: ModelInput = { input: ctx.request.input },
): Promise<EngineOutcome> {
  const name = target.engine.name
  const spec = ctx.registries.set.models.models[name]
  const providerName = target.engine.provider ?? spec?.provider
  const provider = providerName && deps.providers.get(providerName as ModelProvider['name'])
  if (!spec || !provider) {
    throw new EngineUnavailableError({ engine: name, reason: 'its provider is not configured' })
  }
  if (!deps.breakers.tryAcquire(provider.name)) {
    throw new CircuitOpenError({
      provider: provider.name,
      retryAfterMs: deps.breakers.retryAfterMs(provider.name),
    })
  }
  const prompt = promptFor(
    ctx.request.intent,
    ctx.registries.set.intents[ctx.request.intent],
    over.input,
  )
  const inputTokens = estimateTokens(promptBytes(prompt))
  const maxTokens = maxOutputTokens(ctx, spec, inputTokens)
  const traceparent = childTraceparent(ctx.traceId)
  const started = performance.now()
  let reservation: BudgetReservation | undefined
  try {
    reservation = deps.budget.reserve(
      ctx.tenantId,
      costUsd(spec, { inputTokens, outputTokens: maxTokens }),
    )
  } catch (error) {
    deps.breakers.abandon(provider.name)
    throw error
  }
  try {
    const result = await call(
      provider,
      {
        // models.yml's upstream name wins: the engine's model is the ref's short name.
        model: spec.upstream_model ?? target.engine.model ?? name.slice(name.indexOf(':') + 1),
        messages: prompt.messages,
        ...(spec.endpoint === undefined ? {} : { endpoint: spec.endpoint }),
        placement: modelPlacement(ctx, provider.name, over.redacted ?? false),
        ...(traceparent === undefined ? {} : { traceparent }),
        maxOutputTokens: maxTokens,
        ...(prompt.wantsJson ? { responseFormat: { type: 'json_object' as const } } : {}),
        signal,
      },
      ctx,
      over.step,
    )
    const durationMs = Math.round(performance.now() - started)
    const cost = costUsd(spec, result.usage)
    deps.budget.settle(reservation, cost)
    reservation = undefined
    deps.breakers.success(provider.name)
    deps.latency.record(name, durationMs)
    return {
      output: toOutput(prompt, result.text, name),
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
      costUsd: cost,
      durationMs,
      usage: [
        {
          tenantId: ctx.tenantId,
          taskId: ctx.taskId,
          provider: provider.name,
          model: name,
          inputTokens: result.usage.inputTokens,
          outputTokens: result.usage.outputTokens,
          costUsd: cost,
          durationMs,
        },
      ],
    }
  } catch (error) {
    if (reservation) deps.budget.release(reservation)
    feedBreaker(deps, provider.name, error, signal)
    throw error
  }
}

/** Only failures that say something about the provider's health count against it. */
function feedBreaker(deps: ExecutionDeps, provider: string, error: unknown, signal: AbortSignal) {
  const retryable =
    error !== null &&
    typeof error === 'object' &&
    (error as { retryable?: unknown }).retryable === true
  if (signal.aborted || error instanceof ModelOutputInvalidError || !retryable) {
    deps.breakers.abandon(provider)
  } else {
    deps.breakers.failure(provider)
  }
}
