/**
 * Issue 2's acceptance: a task written through the `TaskStore` port on SQLite
 * and on PostgreSQL reads back identically — on each engine and across them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { richTask } from '../src/storage/cases/task.case.js'
import { openStore, type Store } from '../src/storage/index.js'
import { describeWithEngine } from './support/engines.js'
import { dropSchema, freshSchemaName, probePostgres } from './support/postgres.js'

const probe = await probePostgres()

describeWithEngine('PostgreSQL', probe, (url) => {
  const schema = freshSchemaName()
  const dataDir = mkdtempSync(join(tmpdir(), 'aion-cross-'))
  const stores: Store[] = []
  afterAll(async () => {
    for (const store of stores) await store.close()
    await dropSchema(url, schema)
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('reads the same task back from SQLite and PostgreSQL', async () => {
    const sqlite = await openStore({ dataDir })
    const postgres = await openStore({ databaseUrl: url, dataDir, schema })
    stores.push(sqlite, postgres)
    expect([sqlite.engine, postgres.engine]).toEqual(['sqlite', 'postgres'])

    const task = richTask('default', 'tsk_01J0000000000000000000000X')
    const read: unknown[] = []
    for (const store of [sqlite, postgres]) {
      await store.migrate()
      await store.tasks.create(task)
      read.push(await store.tasks.get('default', task.task_id))
    }
    expect(read[0]).toStrictEqual(task)
    expect(read[1]).toStrictEqual(read[0])
    // Same bytes too, apart from object key order that jsonb normalises.
    const canonical = (value: unknown) => JSON.stringify(value, Object.keys(flatKeys(value)).sort())
    expect(canonical(read[1])).toBe(canonical(read[0]))
  })
})

/** Every key at any depth, so JSON.stringify's allow-list keeps them all in sorted order. */
function flatKeys(value: unknown, into: Record<string, true> = {}): Record<string, true> {
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      into[key] = true
      flatKeys(inner, into)
    }
  }
  return into
}
