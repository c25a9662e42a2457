/**
 * Spending against a tenant's budget: reserved before a call, settled after
 * it, so concurrent requests cannot overshoot a cap. In process now; a Redis
 * ledger can implement the same port for scale-out.
 */

export interface BudgetReservation {
  readonly id: string
  readonly tenantId: string
  readonly amountUsd: number
}

export interface BudgetLedger {
  /**
   * Reserves `amountUsd` for a call. A zero amount (local engines) is always
   * granted, whatever was spent. Throws AION_BUDGET_EXHAUSTED when the
   * reservation would take the tenant over its cap.
   */
  reserve(tenantId: string, amountUsd: number): BudgetReservation
  /** Replaces the reservation with what the call actually cost. */
  settle(reservation: BudgetReservation, actualUsd: number): void
  /** Drops a reservation whose call never ran. */
  release(reservation: BudgetReservation): void
}
