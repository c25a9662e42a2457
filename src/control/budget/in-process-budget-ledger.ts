/**
 * The in-process {@link BudgetLedger}: a per-tenant cap per UTC day. A
 * reservation is granted synchronously only while spent + reserved + amount
 * stays within the cap, so concurrent async callers cannot overshoot it
 * (Node runs the check and the booking without an interleaving). Zero-cost
 * reservations (local engines) are always granted.
 */
import { BudgetExhaustedError } from '../../core/errors/index.js'
import type { BudgetLedger, BudgetReservation } from './budget-ledger.js'

const dayMs = 86_400_000
/** Sums are rounded to this many dollars so repeated adds do not drift. */
const precisionUsd = 1e-9
const stepsPerUsd = 1e9

export interface InProcessBudgetLedgerOptions {
  /**
   * The tenant's cap per UTC day in USD, read at every reservation so a
   * policy reload takes effect at once (policies' `budget.tenant_daily_cap_usd`).
   * Undefined means no aggregate cap.
   * @default () => undefined
   */
  readonly dailyCapUsd?: (tenantId: string) => number | undefined
  /**
   * The clock, in ms since the epoch.
   * @default Date.now
   */
  readonly nowMs?: () => number
}

interface TenantDay {
  /** UTC day number (ms since the epoch / one day). */
  day: number
  spentUsd: number
  /** Outstanding reservations; they carry over midnight until settled or released. */
  reservedUsd: number
}

/** A per-tenant daily budget ledger held in this process. */
export class InProcessBudgetLedger implements BudgetLedger {
  readonly #dailyCapUsd: (tenantId: string) => number | undefined
  readonly #nowMs: () => number
  readonly #tenants = new Map<string, TenantDay>()
  readonly #open = new Map<string, BudgetReservation>()
  #nextId = 1

  constructor(options: InProcessBudgetLedgerOptions = {}) {
    this.#dailyCapUsd = options.dailyCapUsd ?? (() => undefined)
    this.#nowMs = options.nowMs ?? Date.now
  }

  /**
   * Sets what the tenant already spent today, e.g. `usage.sumCost(tenant,
   * startOfUtcDay)` read at startup. Replaces the spent amount of the current day.
   */
  seed(tenantId: string, spentTodayUsd: number): void {
    assertAmount('spentTodayUsd', spentTodayUsd)
    this.#today(tenantId).spentUsd = round(spentTodayUsd)
  }

  /** What the tenant spent today (settled calls only). */
  spentTodayUsd(tenantId: string): number {
    return this.#today(tenantId).spentUsd
  }

  /** What the tenant's outstanding reservations hold. */
  reservedUsd(tenantId: string): number {
    return this.#today(tenantId).reservedUsd
  }

  reserve(tenantId: string, amountUsd: number): BudgetReservation {
    assertAmount('amountUsd', amountUsd)
    const state = this.#today(tenantId)
    const capUsd = this.#dailyCapUsd(tenantId)
    if (amountUsd > 0 && capUsd !== undefined) {
      // The comparison tolerates rounding noise, never a whole cent.
      if (state.spentUsd + state.reservedUsd + amountUsd > capUsd + precisionUsd) {
        throw new BudgetExhaustedError({
          tenantId,
          capUsd,
          spentUsd: state.spentUsd,
          reservedUsd: state.reservedUsd,
          requestedUsd: amountUsd,
        })
      }
    }
    state.reservedUsd = round(state.reservedUsd + amountUsd)
    const reservation: BudgetReservation = { id: `bud_${this.#nextId++}`, tenantId, amountUsd }
    this.#open.set(reservation.id, reservation)
    return reservation
  }

  settle(reservation: BudgetReservation, actualUsd: number): void {
    assertAmount('actualUsd', actualUsd)
    if (!this.#close(reservation)) return
    const state = this.#today(reservation.tenantId)
    // What a call cost is charged even above its reservation: it was spent.
    state.spentUsd = round(state.spentUsd + actualUsd)
  }

  release(reservation: BudgetReservation): void {
    this.#close(reservation)
  }

  /** Drops an open reservation; false when it was already settled or released. */
  #close(reservation: BudgetReservation): boolean {
    const open = this.#open.get(reservation.id)
    if (!open) return false
    this.#open.delete(reservation.id)
    const state = this.#today(open.tenantId)
    state.reservedUsd = Math.max(0, round(state.reservedUsd - open.amountUsd))
    return true
  }

  /** The tenant's state for the current UTC day; spending resets at midnight UTC. */
  #today(tenantId: string): TenantDay {
    const day = Math.floor(this.#nowMs() / dayMs)
    let state = this.#tenants.get(tenantId)
    if (!state) {
      state = { day, spentUsd: 0, reservedUsd: 0 }
      this.#tenants.set(tenantId, state)
    } else if (state.day !== day) {
      state.day = day
      state.spentUsd = 0
    }
    return state
  }
}

function round(usd: number): number {
  return Math.round(usd * stepsPerUsd) / stepsPerUsd
}

/** Amounts come from cost estimates, never from clients: a bad one is a programming error. */
function assertAmount(name: string, usd: number): void {
  if (!Number.isFinite(usd) || usd < 0) {
    throw new RangeError(`${name} must be a finite, non-negative number of USD (got ${usd})`)
  }
}
