/**
 * The optional LLM router (reference §4): when policies name a
 * `routing.router_model` whose provider is configured, the model ranks the
 * candidates the rules allow. The rules run first and always; a timeout
 * (`routing.llm_router_timeout_ms`), an error or an answer that does not
 * match the contract or names an engine the rules excluded leaves the rules'
 * decision standing. Either way `decided_by` and `decider_note` say who
 * decided and why. The router model is read from each call's registries, so
 * a policy reload switches it on or off.
 */
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import { isAionError } from '../../core/errors/index.js'
import type { ModelProvider, ProviderName, ProviderSet } from '../../providers/model-provider.js'
import type { Candidate } from './candidate-screen.js'
import { ReasonCode } from './reason-codes.js'
import type { Router, RoutingInput } from './router-port.js'
import { checkRanking, routingDecisionFormat, routingMessages } from './routing-prompt.js'
import {
  evaluateRules,
  kindReason,
  maxFallbacks,
  toFallback,
  type RulesOutcome,
} from './rules-router.js'

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** The configured model providers; the router model's provider must be among them. */
  readonly providers: ProviderSet
  /**
   * Most tokens the router model may answer with.
   * @default 600
   */
  readonly maxOutputTokens?: number
}

/** Codes that describe the rules' own choice, dropped when the LLM picks another engine. */
const choiceCodes = new Set<string>([
  ReasonCode.MODULE_DECLARES_INTENT,
  ReasonCode.TIER_ALLOWED,
  ReasonCode.PIPELINE_REDACTS_FIRST,
  ReasonCode.LATENCY_TARGET,
  ReasonCode.LATENCY_TARGET_MISSED,
  ReasonCode.PRIMARY_ROUTE_UNAVAILABLE,
])
const maxReasonCodes = 32
const maxNoteChars = 500

/** The rules router with the LLM ranking on top; what the orchestrator calls. */
export function createRouter(options: RouterOptions): Router {
  return new LlmRouter(options)
}

type Asked =
  | { readonly kind: 'answer'; readonly text: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly code: string }

interface RouterModel {
  readonly ref: string
  readonly provider: ModelProvider
  readonly model: string
  /** models.yml `endpoint` of the router model, if it has its own server. */
  readonly endpoint: string | undefined
  readonly timeoutMs: number
}

/** A {@link Router} that lets an LLM rank what the rules allow. */
export class LlmRouter implements Router {
  readonly #providers: ProviderSet
  readonly #maxOutputTokens: number

  constructor(options: RouterOptions) {
    this.#providers = options.providers
    this.#maxOutputTokens = options.maxOutputTokens ?? 600
    // Read the contract schema now, at startup, not on a request's path.
    routingDecisionFormat()
  }

  async decide(input: RoutingInput, signal?: AbortSignal): Promise<RoutingDecision> {
    const rules = evaluateRules(input)
    const ref = input.registries.policies.routing.router_model
    if (ref === undefined || signal?.aborted) return rules.decision
    const routerModel = this.#routerModel(input, ref)
    if (typeof routerModel === 'string') return noted(rules.decision, routerModel)
    if (rules.candidates.length < 2) {
      return noted(rules.decision, 'one candidate; llm router not asked')
    }
    const asked = await this.#ask(routerModel, input, rules, signal)
    if (asked.kind === 'timeout') {
      const note = `llm router timed out after ${routerModel.timeoutMs} ms; rules decided`
      return fellBack(rules.decision, ReasonCode.LLM_ROUTER_TIMEOUT, note)
    }
    if (asked.kind === 'error') {
      const note = `llm router failed (${asked.code}); rules decided`
      return fellBack(rules.decision, ReasonCode.LLM_ROUTER_ERROR, note)
    }
    const check = checkRanking(asked.text, rules.candidates)
    if (!check.ok) {
      const note = `llm router answer invalid (${check.why}); rules decided`
      return fellBack(rules.decision, ReasonCode.LLM_ROUTER_INVALID, note)
    }
    return ranked(rules, check.ranked, check.note)
  }

  /** The router model to ask, or why none can be asked. */
  #routerModel(input: RoutingInput, ref: string): RouterModel | string {
    const spec = input.registries.models.models[ref]
    const provider = spec && this.#providers.get(spec.provider as ProviderName)
    if (!spec || !provider) return `llm router model ${ref} is not configured; rules decided`
    if (input.engines.isCircuitOpen(spec.provider)) {
      return `llm router provider ${spec.provider} circuit open; rules decided`
    }
    return {
      ref,
      provider,
      model: spec.upstream_model ?? ref.slice(ref.indexOf(':') + 1),
      endpoint: spec.endpoint,
      timeoutMs: input.registries.policies.routing.llm_router_timeout_ms,
    }
  }

  async #ask(
    routerModel: RouterModel,
    input: RoutingInput,
    rules: RulesOutcome,
    signal: AbortSignal | undefined,
  ): Promise<Asked> {
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, routerModel.timeoutMs)
    const onAbort = () => controller.abort()
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const call = routerModel.provider.complete({
        model: routerModel.model,
        ...(routerModel.endpoint === undefined ? {} : { endpoint: routerModel.endpoint }),
        messages: routingMessages(input.features, rules.candidates, input.registryVersion),
        maxOutputTokens: this.#maxOutputTokens,
        temperature: 0,
        responseFormat: routingDecisionFormat(),
        signal: controller.signal,
      })
      // The deadline is the router's, not the provider's: stop waiting the moment it fires.
      // The loser of the race settles later; its rejection is expected and handled here.
      const stop = aborted(controller.signal)
      call.catch(() => undefined)
      stop.catch(() => undefined)
      const result = await Promise.race([call, stop])
      return { kind: 'answer', text: result.text }
    } catch (error) {
      if (timedOut) return { kind: 'timeout' }
      return { kind: 'error', code: isAionError(error) ? error.code : errorName(error) }
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }
}

/** Rejects when `signal` aborts; the losing race's call is aborted by the same signal. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true })
  })
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error'
}

/** The decision with the LLM's order: its ranking, then the rules' remaining candidates. */
function ranked(rules: RulesOutcome, order: readonly Candidate[], note?: string): RoutingDecision {
  const [choice, ...rest] = order
  if (!choice) return rules.decision
  const remaining = rules.candidates.filter((c) => !order.includes(c))
  const codes = [
    ReasonCode.LLM_RANKED,
    kindReason(choice),
    ...rules.decision.reason_codes.filter((code) => !choiceCodes.has(code)),
  ]
  return {
    route: choice.route,
    engine: choice.engine,
    tier: choice.tier,
    reason_codes: [...new Set(codes)].slice(0, maxReasonCodes),
    estimates: {
      input_tokens: choice.inputTokens,
      output_tokens: choice.outputTokens,
      cost_usd: choice.costUsd,
      latency_ms: choice.latencyMs,
    },
    fallbacks: [...rest, ...remaining].slice(0, maxFallbacks).map(toFallback),
    decided_by: 'llm',
    decider_note: clip(note === undefined ? 'llm router ranked the candidates' : `llm: ${note}`),
    registry_version: rules.decision.registry_version,
  }
}

function fellBack(decision: RoutingDecision, code: ReasonCode, note: string): RoutingDecision {
  const codes = [...new Set([code, ...decision.reason_codes])].slice(0, maxReasonCodes)
  return { ...decision, reason_codes: codes, decider_note: clip(note) }
}

function noted(decision: RoutingDecision, note: string): RoutingDecision {
  return { ...decision, decider_note: clip(note) }
}

function clip(note: string): string {
  const trimmed = note.trim()
  if (trimmed.length === 0) return 'llm router'
  return trimmed.length <= maxNoteChars ? trimmed : `${trimmed.slice(0, maxNoteChars - 1)}…`
}
