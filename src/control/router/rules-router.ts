/**
 * The deterministic router: DESIGN.md's rules over privacy, tiers, provider
 * allow/deny and configuration, circuits, budget (default and hard cap) and
 * latency targets. Pure and synchronous underneath (`decideRules`), so it
 * costs microseconds per request and property tests can run it 100k times.
 */
import type {
  PrivacyMode,
  RequestedRoute,
  Route,
  RoutingDecision,
  RoutingFallback,
} from '../../../contracts/generated/index.js'
import {
  RouterNoRouteError,
  RouterRouteNotAllowedError,
  RouterUnknownIntentError,
  type ExcludedEngine,
} from '../../core/errors/index.js'
import type { PoliciesRegistry } from '../../core/registry/index.js'
import { screenRoute, type Candidate, type ScreenContext } from './candidate-screen.js'
import { ReasonCode } from './reason-codes.js'
import type { Router, RoutingInput } from './router-port.js'
import { intentPlan, type IntentPlan } from './routing-plan.js'

/** The contract's limit on fallbacks. */
export const maxFallbacks = 16
/** The contract's ceiling on an estimated cost, in USD. */
const maxEstimateUsd = 100_000

const strictness: Readonly<Record<PrivacyMode, number>> = {
  'allow-api': 0,
  hybrid: 1,
  'local-only': 2,
}

/** The rules as a {@link Router}. */
export class RulesRouter implements Router {
  async decide(input: RoutingInput): Promise<RoutingDecision> {
    return decideRules(input)
  }
}

/**
 * Decides synchronously. Throws AION_ROUTER_UNKNOWN_INTENT, AION_ROUTER_ROUTE_NOT_ALLOWED
 * (the request names a route the intent does not list) or AION_ROUTER_NO_ROUTE (with
 * every excluded candidate and its reasons).
 */
export function decideRules(input: RoutingInput): RoutingDecision {
  return evaluateRules(input).decision
}

/** The rules' decision and the engines it names (choice, then fallbacks), with their estimates. */
export interface RulesOutcome {
  readonly decision: RoutingDecision
  readonly candidates: readonly Candidate[]
}

/**
 * A refusal made without a stack trace: refusing is one of the router's
 * answers (its fields say why), not a fault to trace back, and capturing the
 * stack cost more than deciding (bench:router, 1,604 refusals in 2,000 cases:
 * p50 per call 12.6–13.7 µs with stacks, 6.6–8.3 without).
 */
function refusal<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return make()
  } finally {
    Error.stackTraceLimit = limit
  }
}

/** {@link decideRules}, also returning the allowed candidates (the LLM router ranks these). */
export function evaluateRules(input: RoutingInput): RulesOutcome {
  const { features, registries } = input
  const plan = intentPlan(registries, features.intent)
  if (!plan) throw refusal(() => new RouterUnknownIntentError({ intent: features.intent }))
  const { routes, routeReason } = routesFor(plan, features.requestedRoute)
  const budget = budgetLimit(features.budgetUsd, registries.policies)
  const ctx: ScreenContext = {
    plan,
    features,
    engines: input.engines,
    privacy: effectivePrivacy(plan, features.privacy),
    limitUsd: budget.limitUsd,
    targetMs: (route) => features.maxLatencyMs ?? registries.policies.latency.p95_ms[route],
  }
  const eligible: Candidate[] = []
  const excluded: ExcludedEngine[] = []
  const firstOfRoute: Candidate[] = []
  for (const route of routes) {
    const screen = screenRoute(route, ctx)
    if (screen.eligible[0]) firstOfRoute.push(screen.eligible[0])
    eligible.push(...screen.eligible)
    excluded.push(...screen.excluded)
  }
  const [choice, ...rest] = eligible
  if (!choice) throw refusal(() => new RouterNoRouteError({ intent: plan.name, routes, excluded }))
  const reasons = reasonCodes({
    choice,
    sameRoute: eligible.filter((c) => c.route === choice.route),
    privacy: ctx.privacy,
    routeReason,
    primaryUnavailable: choice.route !== routes[0],
    clamped: budget.clamped,
    excluded,
  })
  const fallbacks = rest.slice(0, maxFallbacks)
  const decision: RoutingDecision = {
    route: choice.route,
    engine: choice.engine,
    tier: choice.tier,
    reason_codes: reasons,
    estimates: {
      input_tokens: choice.inputTokens,
      output_tokens: choice.outputTokens,
      cost_usd: choice.costUsd,
      latency_ms: choice.latencyMs,
    },
    fallbacks: fallbacks.map(toFallback),
    decided_by: 'rules',
    registry_version: input.registryVersion,
  }
  return { decision, candidates: [choice, ...fallbacks] }
}

/** The routes to consider, most preferred first, and why that order. */
function routesFor(
  plan: IntentPlan,
  requested: RequestedRoute,
): { routes: readonly Route[]; routeReason: ReasonCode } {
  if (requested !== 'auto') {
    if (!plan.spec.candidates.includes(requested)) {
      throw refusal(
        () =>
          new RouterRouteNotAllowedError({
            intent: plan.name,
            route: requested,
            candidates: plan.spec.candidates,
          }),
      )
    }
    // A route the client named is kept: fallbacks stay on it.
    return { routes: [requested], routeReason: ReasonCode.ROUTE_REQUESTED }
  }
  return plan.spec.default_route === 'auto'
    ? { routes: plan.autoRoutes, routeReason: ReasonCode.ROUTE_FALLBACK_ORDER }
    : { routes: plan.defaultRoutes, routeReason: ReasonCode.ROUTE_DEFAULT }
}

/** The request's privacy, tightened (never loosened) by the intent and policies. */
function effectivePrivacy(plan: IntentPlan, requested: PrivacyMode): PrivacyMode {
  let mode = requested
  if (strictness[plan.spec.privacy] > strictness[mode]) mode = plan.spec.privacy
  return plan.policyLocalOnly ? 'local-only' : mode
}

/** min(budget, hard cap), never negative; a budget that is not a number means the default. */
function budgetLimit(
  budgetUsd: number,
  policies: PoliciesRegistry,
): { limitUsd: number; clamped: boolean } {
  const { default_usd: defaultUsd, hard_cap_usd: hardCapUsd } = policies.budget
  const asked = Number.isFinite(budgetUsd) ? budgetUsd : defaultUsd
  const clamped = asked > hardCapUsd
  const limitUsd = Math.max(0, Math.min(asked, hardCapUsd, maxEstimateUsd))
  return { limitUsd, clamped }
}

interface ReasonInput {
  readonly choice: Candidate
  readonly sameRoute: readonly Candidate[]
  readonly privacy: PrivacyMode
  readonly routeReason: ReasonCode
  readonly primaryUnavailable: boolean
  readonly clamped: boolean
  readonly excluded: readonly ExcludedEngine[]
}

/** Reason codes, most decisive first, each once. */
function reasonCodes(r: ReasonInput): string[] {
  const codes = new Set<string>()
  if (r.privacy === 'local-only') codes.add(ReasonCode.PRIVACY_LOCAL_ONLY)
  if (r.privacy === 'hybrid') codes.add(ReasonCode.PRIVACY_HYBRID)
  codes.add(r.routeReason)
  if (r.primaryUnavailable) codes.add(ReasonCode.PRIMARY_ROUTE_UNAVAILABLE)
  codes.add(kindReason(r.choice))
  if (r.clamped) codes.add(ReasonCode.BUDGET_CLAMPED)
  codes.add(ReasonCode.BUDGET_WITHIN_LIMIT)
  if (!r.choice.fitsLatency) codes.add(ReasonCode.LATENCY_TARGET_MISSED)
  else if (r.sameRoute.some((c) => !c.fitsLatency && staticallyBefore(c, r.choice)))
    codes.add(ReasonCode.LATENCY_TARGET)
  for (const e of r.excluded) for (const reason of e.reasons) codes.add(reason)
  return [...codes]
}

/** The reason code naming what kind of engine was chosen. */
export function kindReason(choice: Candidate): ReasonCode {
  if (choice.engine.kind === 'module') return ReasonCode.MODULE_DECLARES_INTENT
  if (choice.engine.kind === 'pipeline') {
    return choice.redactsFirst === true
      ? ReasonCode.PIPELINE_REDACTS_FIRST
      : ReasonCode.PIPELINE_DECLARES_INTENT
  }
  return ReasonCode.TIER_ALLOWED
}

/** Whether `a` would come before `b` without the latency rule. */
function staticallyBefore(a: Candidate, b: Candidate): boolean {
  return (
    (a.kindRank - b.kindRank ||
      a.tierIndex - b.tierIndex ||
      a.costUsd - b.costUsd ||
      a.order - b.order) < 0
  )
}

/** A candidate as a fallback entry of the contract. */
export function toFallback(c: Candidate): RoutingFallback {
  return { route: c.route, engine: c.engine, tier: c.tier }
}
