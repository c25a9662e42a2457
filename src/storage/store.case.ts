/**
 * The one shared suite every relational engine must pass. Each engine's test
 * file calls `runStoreSuite` with a factory that opens a store on ONE
 * database (each call connects to the same database afresh).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accessCases } from './cases/access.case.js'
import { meteringCases } from './cases/metering.case.js'
import { outboxCases } from './cases/outbox.case.js'
import { registryCases } from './cases/registry.case.js'
import { taskCases } from './cases/task.case.js'
import type { MigrationReport, Store } from './ports/store.js'

/** Runs every store case against the stores `open` returns. */
export function runStoreSuite(name: string, open: () => Promise<Store>): void {
  describe(name, () => {
    let store: Store | undefined
    let firstMigration: MigrationReport | undefined
    const current = (): Store => {
      if (!store) throw new TypeError('the store did not open')
      return store
    }

    beforeAll(async () => {
      store = await open()
      firstMigration = await store.migrate()
    })
    afterAll(async () => {
      await store?.close()
    })

    describe('migrations', () => {
      it('applies the migration set on an empty database', () => {
        expect(firstMigration?.applied).toEqual([
          '0001_core_tables',
          '0002_task_leases',
          '0003_outbox_relay',
        ])
      })

      it('runs nothing the second time, and records what ran in the database', async () => {
        expect(await current().migrate()).toEqual({ applied: [] })
        const other = await open()
        try {
          expect(await other.migrate()).toEqual({ applied: [] })
        } finally {
          await other.close()
        }
      })

      it('answers ping', async () => {
        await expect(current().ping()).resolves.toBeUndefined()
      })
    })

    describe('tasks', () => taskCases(current))
    describe('registries', () => registryCases(current))
    describe('api keys and idempotency', () => accessCases(current))
    describe('transactions and outbox', () => outboxCases(current))
    describe('usage, audit and catalog', () => meteringCases(current))
  })
}
