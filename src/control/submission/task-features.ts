/**
 * The routing features of one request: effective privacy, budget, requested
 * route, payload size, token estimates and whether personal data is present.
 */
import type { TaskRequest } from '../../../contracts/generated/index.js'
import { RequestInvalidError } from '../../core/errors/index.js'
import type { IntentSpec, PrivacyMode, RegistrySet } from '../../core/registry/index.js'
import { estimateTokens } from '../../providers/cost.js'
import type { RoutingFeatures } from '../router/router-port.js'
import { valueHasPii } from './pii-scan.js'

/** From strictest to loosest (DESIGN.md, Privacy modes). */
const privacyRank: Readonly<Record<PrivacyMode, number>> = {
  'local-only': 0,
  hybrid: 1,
  'allow-api': 2,
}

/**
 * The intent's privacy mode tightened by the request's. A request that asks
 * for a looser mode is refused (AION_REQUEST_INVALID), so a client never
 * believes its data may go somewhere it may not.
 */
export function effectivePrivacy(intent: IntentSpec, requested?: PrivacyMode): PrivacyMode {
  if (requested === undefined) return intent.privacy
  if (privacyRank[requested] > privacyRank[intent.privacy]) {
    throw new RequestInvalidError({
      violations: [
        {
          path: '/privacy',
          keyword: 'privacy',
          message: `may only tighten the intent's privacy mode (${intent.privacy}), not loosen it`,
        },
      ],
    })
  }
  return requested
}

/** Completion tokens a task of this intent is expected to need, for estimates and caps. */
export function estimateOutputTokens(intent: string, inputTokens: number): number {
  if (intent === 'summarize') return Math.max(64, Math.min(512, Math.ceil(inputTokens / 4)))
  if (intent === 'extract') return Math.max(64, Math.min(1024, Math.ceil(inputTokens / 2)))
  return 512
}

/** Builds the features the router decides from; `input` was already validated. */
export function buildFeatures(
  tenantId: string,
  request: TaskRequest,
  intent: IntentSpec,
  set: RegistrySet,
): RoutingFeatures {
  const inputBytes = Buffer.byteLength(JSON.stringify(request.input))
  const estimatedInputTokens = estimateTokens(inputBytes)
  // Unclamped on purpose: the router clamps to the hard cap and records BUDGET_CLAMPED.
  const budgetUsd = request.budget_usd ?? set.policies.budget.default_usd
  return {
    tenantId,
    intent: request.intent,
    // 'auto' lets the router start from the intent's default route and still fall back to others.
    requestedRoute: request.route ?? 'auto',
    privacy: effectivePrivacy(intent, request.privacy),
    budgetUsd,
    ...(request.max_latency_ms === undefined ? {} : { maxLatencyMs: request.max_latency_ms }),
    inputBytes,
    estimatedInputTokens,
    estimatedOutputTokens: estimateOutputTokens(request.intent, estimatedInputTokens),
    piiDetected: valueHasPii(request.input),
  }
}
