/**
 * The store's `idempotency_keys` table as the gateway's IdempotencyCache
 * (the embedded default), through the cases Redis passes too: SQLite here,
 * PostgreSQL where it runs (two stores over one schema: two gateways).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe } from 'vitest'
import { idempotencyCacheCases } from '../../core/edge-state/idempotency-cache.case.js'
import { describeWithEngine } from '../../../test/support/engines.js'
import { dropSchema, freshSchemaName, probePostgres } from '../../../test/support/postgres.js'
import type { Store } from '../ports/store.js'
import { PostgresStore } from '../postgres/postgres-store.js'
import { SqliteStore } from '../sqlite/sqlite-store.js'

describe('SqliteStore idempotency as the IdempotencyCache', () => {
  const root = mkdtempSync(join(tmpdir(), 'aion-idem-'))
  let store: Store
  beforeAll(async () => {
    store = await SqliteStore.open({ dataDir: root })
    await store.migrate()
  })
  afterAll(async () => {
    await store?.close()
    rmSync(root, { recursive: true, force: true })
  })
  idempotencyCacheCases(() => store.idempotency)
})

const probe = await probePostgres()

describeWithEngine('PostgreSQL', probe, (url) => {
  const schema = freshSchemaName()
  let stores: Store[] = []
  beforeAll(async () => {
    stores = await Promise.all([1, 2].map(() => PostgresStore.open({ url, schema })))
    await stores[0]?.migrate()
  })
  afterAll(async () => {
    for (const store of stores) await store.close()
    await dropSchema(url, schema)
  })
  describe('PostgresStore idempotency as the IdempotencyCache, two stores on one schema', () => {
    idempotencyCacheCases(
      () => (stores[0] as Store).idempotency,
      () => (stores[1] as Store).idempotency,
    )
  })
})
