import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AionError, BudgetExhaustedError } from '../../core/errors/index.js'
import type { BudgetReservation } from './budget-ledger.js'
import { InProcessBudgetLedger } from './in-process-budget-ledger.js'

const noon = Date.UTC(2026, 0, 15, 12)
const day = 86_400_000

function ledger(capUsd: number | undefined, clock = { now: noon }) {
  return new InProcessBudgetLedger({ dailyCapUsd: () => capUsd, nowMs: () => clock.now })
}

function refusal(fn: () => unknown): AionError {
  try {
    fn()
  } catch (error) {
    if (error instanceof AionError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('InProcessBudgetLedger', () => {
  it('grants reservations up to the cap and refuses the one that would go over', () => {
    const l = ledger(1)
    l.reserve('default', 0.6)
    l.reserve('default', 0.4)
    const error = refusal(() => l.reserve('default', 0.01))
    expect(error).toBeInstanceOf(BudgetExhaustedError)
    expect(error).toMatchObject({
      code: 'AION_BUDGET_EXHAUSTED',
      kind: 'resource_exhausted',
      retryable: false,
      fields: { tenantId: 'default', capUsd: 1, spentUsd: 0, reservedUsd: 1, requestedUsd: 0.01 },
    })
  })

  it('always grants a zero-cost reservation, even with the budget spent', () => {
    const l = ledger(0.1)
    l.settle(l.reserve('default', 0.1), 0.5)
    expect(refusal(() => l.reserve('default', 0.000001))).toBeInstanceOf(BudgetExhaustedError)
    const free = l.reserve('default', 0)
    expect(free.amountUsd).toBe(0)
    l.settle(free, 0)
    expect(l.spentTodayUsd('default')).toBe(0.5)
  })

  it('settles to the actual cost, freeing what the estimate held', () => {
    const l = ledger(1)
    const r = l.reserve('default', 0.9)
    expect(() => l.reserve('default', 0.2)).toThrow(BudgetExhaustedError)
    l.settle(r, 0.3)
    expect(l.spentTodayUsd('default')).toBe(0.3)
    expect(l.reservedUsd('default')).toBe(0)
    l.reserve('default', 0.7)
    expect(() => l.reserve('default', 0.01)).toThrow(BudgetExhaustedError)
  })

  it('releases a reservation whose call never ran, and ignores a second settle or release', () => {
    const l = ledger(1)
    const r = l.reserve('default', 1)
    l.release(r)
    l.release(r)
    l.settle(r, 1)
    expect(l.spentTodayUsd('default')).toBe(0)
    expect(l.reservedUsd('default')).toBe(0)
    const s = l.reserve('default', 0.5)
    l.settle(s, 0.5)
    l.settle(s, 0.5)
    expect(l.spentTodayUsd('default')).toBe(0.5)
  })

  it('keeps tenants apart and has no aggregate cap when policies set none', () => {
    const capped = new InProcessBudgetLedger({
      dailyCapUsd: (tenant) => (tenant === 'small' ? 0.1 : undefined),
      nowMs: () => noon,
    })
    expect(() => capped.reserve('small', 0.2)).toThrow(BudgetExhaustedError)
    for (let i = 0; i < 100; i++) capped.reserve('big', 1000)
    expect(capped.reservedUsd('big')).toBe(100_000)
    expect(capped.reservedUsd('small')).toBe(0)
  })

  it('reads the cap at every reservation, so a policy reload applies at once', () => {
    let capUsd: number | undefined = 0.5
    const l = new InProcessBudgetLedger({ dailyCapUsd: () => capUsd, nowMs: () => noon })
    l.reserve('default', 0.5)
    expect(() => l.reserve('default', 0.5)).toThrow(BudgetExhaustedError)
    capUsd = 1
    l.reserve('default', 0.5)
    capUsd = undefined
    l.reserve('default', 5)
  })

  it('starts from what was spent today, and resets spending at midnight UTC', () => {
    const clock = { now: noon }
    const l = ledger(1, clock)
    l.seed('default', 0.75)
    expect(() => l.reserve('default', 0.3)).toThrow(BudgetExhaustedError)
    const open = l.reserve('default', 0.25)
    clock.now = noon + day
    expect(l.spentTodayUsd('default')).toBe(0)
    // The reservation still in flight keeps holding its amount across midnight.
    expect(() => l.reserve('default', 0.8)).toThrow(BudgetExhaustedError)
    l.settle(open, 0.2)
    expect(l.spentTodayUsd('default')).toBe(0.2)
    l.reserve('default', 0.8)
  })

  it('lets exactly as many concurrent callers through as the cap pays for', async () => {
    const l = ledger(0.5)
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i % 7))
        const r = l.reserve('default', 0.01)
        await new Promise((resolve) => setImmediate(resolve))
        l.settle(r, 0.01)
      }),
    )
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(50)
    expect(l.spentTodayUsd('default')).toBeCloseTo(0.5, 9)
  })

  it('refuses amounts that are not finite non-negative numbers', () => {
    const l = ledger(1)
    expect(() => l.reserve('default', -1)).toThrow(RangeError)
    expect(() => l.reserve('default', Number.NaN)).toThrow(RangeError)
    expect(() => l.settle(l.reserve('default', 0), Infinity)).toThrow(RangeError)
  })

  it('never grants past the cap under any sequence of operations', () => {
    type Op =
      | { kind: 'reserve'; amountUsd: number }
      | { kind: 'settle'; index: number; actualUsd: number }
      | { kind: 'release'; index: number }
    const usd = fc.integer({ min: 0, max: 300 }).map((cents) => cents / 100)
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), amountUsd: usd }),
      fc.record({ kind: fc.constant('settle' as const), index: fc.nat(20), actualUsd: usd }),
      fc.record({ kind: fc.constant('release' as const), index: fc.nat(20) }),
    )
    fc.assert(
      fc.property(usd, fc.array(op, { maxLength: 40 }), (capUsd, ops) => {
        const l = ledger(capUsd)
        const open: BudgetReservation[] = []
        let spent = 0
        for (const o of ops) {
          if (o.kind === 'reserve') {
            const before = l.spentTodayUsd('default') + l.reservedUsd('default')
            try {
              open.push(l.reserve('default', o.amountUsd))
              if (o.amountUsd > 0) expect(before + o.amountUsd).toBeLessThanOrEqual(capUsd + 1e-9)
            } catch (error) {
              expect(error).toBeInstanceOf(BudgetExhaustedError)
              expect(o.amountUsd).toBeGreaterThan(0)
              expect(before + o.amountUsd).toBeGreaterThan(capUsd)
            }
            continue
          }
          const r = open.splice(o.index % Math.max(1, open.length), 1)[0]
          if (!r) continue
          if (o.kind === 'release') l.release(r)
          else {
            l.settle(r, o.actualUsd)
            spent += o.actualUsd
          }
        }
        const held = open.reduce((sum, r) => sum + r.amountUsd, 0)
        expect(l.reservedUsd('default')).toBeCloseTo(held, 6)
        expect(l.spentTodayUsd('default')).toBeCloseTo(spent, 6)
      }),
      { numRuns: 2_000 },
    )
  })
})
