/**
 * The LLM router's dedicated prompt and the check of its answer. The model
 * sees the request's features and only the candidates the rules allow; its
 * answer must parse, match the routing-decision contract and pick allowed
 * candidates — anything else is reported as invalid and the rules decide.
 */
import { readContractSchemas } from '../../../contracts/index.js'
import type { RoutingDecision } from '../../../contracts/generated/index.js'
import { checkContract } from '../../core/contracts/contract-validator.js'
import type { ChatMessage, JsonSchemaFormat } from '../../providers/model-provider.js'
import type { Candidate } from './candidate-screen.js'
import type { RoutingFeatures } from './router-port.js'

const systemPrompt = [
  'You are the router of an AI task platform. Choose which engine should serve one task.',
  'You receive the task features (never its payload) and the candidate engines that the',
  "platform's rules already allow (privacy, budget cap, provider policy and health were",
  'checked). Rank them: prefer engines that meet the latency target, then lower cost, then',
  'the better fit for the intent. Answer with one JSON object matching the routing_decision',
  'schema: copy `route`, `engine` and `tier` exactly from the candidate you choose and its',
  '`estimates`; list every other candidate you would try next in `fallbacks`, best first,',
  'copied exactly; set `decided_by` to "llm", `registry_version` to the given number,',
  '`reason_codes` to UPPER_SNAKE codes starting with LLM_RANKED, and `decider_note` to one',
  'short sentence on why. Never name an engine that is not a candidate.',
].join(' ')

let decisionSchema: Record<string, unknown> | undefined

/** The routing-decision schema as a structured-output format (read once). */
export function routingDecisionFormat(): JsonSchemaFormat {
  decisionSchema ??= readContractSchemas().find((s) => s.name === 'routing-decision')?.schema
  if (!decisionSchema) throw new TypeError('the routing-decision contract schema is missing')
  // The contract uses `if`/`then` and optional fields, which strict structured
  // output refuses; the answer is checked against the contract on arrival anyway.
  return { type: 'json_schema', name: 'routing_decision', schema: decisionSchema, strict: false }
}

/** The system and user messages for one routing question. */
export function routingMessages(
  features: RoutingFeatures,
  candidates: readonly Candidate[],
  registryVersion: number,
): ChatMessage[] {
  const question = {
    registry_version: registryVersion,
    features: {
      intent: features.intent,
      requested_route: features.requestedRoute,
      privacy: features.privacy,
      budget_usd: features.budgetUsd,
      ...(features.maxLatencyMs === undefined ? {} : { max_latency_ms: features.maxLatencyMs }),
      input_bytes: features.inputBytes,
      estimated_input_tokens: features.estimatedInputTokens,
      estimated_output_tokens: features.estimatedOutputTokens,
      pii_detected: features.piiDetected,
    },
    candidates: candidates.map((c) => ({
      route: c.route,
      engine: c.engine,
      tier: c.tier,
      estimates: {
        input_tokens: c.inputTokens,
        output_tokens: c.outputTokens,
        cost_usd: c.costUsd,
        latency_ms: c.latencyMs,
      },
      meets_latency_target: c.fitsLatency,
    })),
  }
  return [
    { role: 'system', content: systemPrompt },
    { role: 'user', content: JSON.stringify(question) },
  ]
}

/** The LLM's ranking, as allowed candidates in order, or why it is unusable. */
export type RankingCheck =
  | { readonly ok: true; readonly ranked: readonly Candidate[]; readonly note?: string }
  | { readonly ok: false; readonly why: string }

/** Parses and checks the model's answer against the contract and the allowed candidates. */
export function checkRanking(text: string, candidates: readonly Candidate[]): RankingCheck {
  let answer: unknown
  try {
    answer = JSON.parse(text)
  } catch {
    return { ok: false, why: 'not JSON' }
  }
  const violations = checkContract('routing-decision', answer)
  if (violations.length > 0) {
    const first = violations[0]
    return { ok: false, why: `contract: ${first?.path || '/'} ${first?.message ?? ''}`.trim() }
  }
  const decision = answer as RoutingDecision
  if (decision.decided_by !== 'llm') return { ok: false, why: 'decided_by is not "llm"' }
  const allowed = new Map(candidates.map((c) => [keyOf(c.route, c.engine.kind, c.engine.name), c]))
  const ranked: Candidate[] = []
  for (const pick of [decision, ...decision.fallbacks]) {
    const candidate = allowed.get(keyOf(pick.route, pick.engine.kind, pick.engine.name))
    if (!candidate) {
      return {
        ok: false,
        why: `${pick.route} ${pick.engine.name} is not a candidate the rules allow`,
      }
    }
    if (ranked.includes(candidate)) return { ok: false, why: `${pick.engine.name} named twice` }
    ranked.push(candidate)
  }
  return decision.decider_note === undefined
    ? { ok: true, ranked }
    : { ok: true, ranked, note: decision.decider_note }
}

function keyOf(route: string, kind: string, name: string): string {
  return `${route}\u0000${kind}\u0000${name}`
}
