import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { RoutingFallback } from '../../../contracts/generated/index.js'
import { engineState, routingCaseArb } from './routing-arbitraries.fixture.js'
import { checkRanking } from './routing-prompt.js'
import { evaluateRules } from './rules-router.js'

const strangers: RoutingFallback[] = [
  {
    route: 'api',
    engine: { kind: 'model', name: 'openai:m1', provider: 'openai', model: 'm1', tier: 'tier1' },
    tier: 'tier1',
  },
  { route: 'local', engine: { kind: 'module', name: 'helper', version: '1.3.0' }, tier: 'tier0' },
  {
    route: 'hybrid',
    engine: { kind: 'pipeline', name: 'redact_pii+hf:m2', provider: 'hf', model: 'm2' },
    tier: 'tier2',
  },
]

describe('checkRanking', () => {
  it('accepts only answers whose every engine is a candidate the rules allowed', () => {
    fc.assert(
      fc.property(
        routingCaseArb,
        fc.array(fc.nat(40), { minLength: 1, maxLength: 6 }),
        ({ set, features, state }, picks) => {
          let outcome
          try {
            const engines = engineState(state)
            outcome = evaluateRules({ features, registries: set, registryVersion: 1, engines })
          } catch {
            return
          }
          const pool = [
            ...outcome.candidates.map((c) => ({ route: c.route, engine: c.engine, tier: c.tier })),
            ...strangers,
          ]
          const chosen = picks.map((i) => pool[i % pool.length] as RoutingFallback)
          const [first, ...rest] = chosen
          const text = JSON.stringify({
            ...first,
            reason_codes: ['LLM_RANKED'],
            estimates: { input_tokens: 0, output_tokens: 0, cost_usd: 0, latency_ms: 1 },
            fallbacks: rest,
            decided_by: 'llm',
            registry_version: 1,
          })
          const check = checkRanking(text, outcome.candidates)
          const allAllowed = chosen.every((c) =>
            outcome.candidates.some((a) => a.route === c.route && a.engine.name === c.engine.name),
          )
          const distinct = new Set(chosen.map((c) => `${c.route} ${c.engine.name}`)).size
          expect(check.ok).toBe(allAllowed && distinct === chosen.length)
          if (check.ok) for (const c of check.ranked) expect(outcome.candidates).toContain(c)
        },
      ),
      { numRuns: 2_000 },
    )
  })

  it('names what is wrong with an unusable answer', () => {
    expect(checkRanking('nope', [])).toEqual({ ok: false, why: 'not JSON' })
    expect(checkRanking('[]', [])).toEqual({ ok: false, why: 'contract: / must be object' })
  })
})
