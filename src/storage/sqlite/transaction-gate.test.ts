import Sqlite from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { translatingDialect } from '../dialect/translating-dialect.js'
import { WriteGate } from './write-gate.js'

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe("the SQLite dialect's transaction gate", () => {
  const gate = new WriteGate()
  const db = new Kysely<Record<string, never>>({
    dialect: translatingDialect(
      new SqliteDialect({ database: new Sqlite(':memory:') }),
      (error) => error,
      gate,
    ),
  })
  afterEach(() => gate.open())

  it('holds a transaction at BEGIN while the gate is closed', async () => {
    await gate.close()
    let ran = false
    const transaction = db.transaction().execute(async (tx) => {
      ran = true
      await sql`select 1`.execute(tx)
    })
    await turn()
    expect(ran).toBe(false)
    gate.open()
    await transaction
    expect(ran).toBe(true)
  })

  it('counts a transaction as running until it ends, committed or rolled back', async () => {
    let release = (): void => undefined
    const holding = new Promise<void>((resolve) => {
      release = resolve
    })
    const running = db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx)
      await holding
    })
    await turn()
    let closed = false
    const closing = gate.close().then(() => {
      closed = true
    })
    await turn()
    expect(closed).toBe(false)
    release()
    await running
    await closing
    expect(closed).toBe(true)
    gate.open()

    const failing = db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx)
      throw new Error('rolled back')
    })
    await expect(failing).rejects.toThrow('rolled back')
    // Left at the rollback: closing does not wait.
    await gate.close()
    expect(gate.isClosed).toBe(true)
  })
})
