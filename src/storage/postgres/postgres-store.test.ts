import { afterAll, describe, expect, it } from 'vitest'
import {
  StoreConflictError,
  StoreOptionsInvalidError,
  StoreUnavailableError,
  StoreValueUnsupportedError,
} from '../../core/errors/index.js'
import { describeWithEngine } from '../../../test/support/engines.js'
import { dropSchema, freshSchemaName, probePostgres } from '../../../test/support/postgres.js'
import { runStoreSuite } from '../store.case.js'
import { PostgresStore } from './postgres-store.js'

const probe = await probePostgres()
const runSchema = freshSchemaName()

describeWithEngine('PostgreSQL', probe, (url) => {
  const schemas = [runSchema, `${runSchema}_b`]
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(url, schema)
  })

  runStoreSuite('PostgresStore', () => PostgresStore.open({ url, schema: runSchema }))

  describe('PostgresStore connection and schema', () => {
    it('keeps each schema separate', async () => {
      const a = await PostgresStore.open({ url, schema: runSchema })
      const b = await PostgresStore.open({ url, schema: schemas[1] })
      try {
        await a.migrate()
        expect((await b.migrate()).applied).toEqual([
          '0001_core_tables',
          '0002_task_leases',
          '0003_outbox_relay',
        ])
        await a.tasks.create({
          task_id: 'tsk_schema',
          tenant_id: 'default',
          intent: 'x',
          request: {},
        })
        expect(await a.tasks.get('default', 'tsk_schema')).toBeDefined()
        expect(await b.tasks.get('default', 'tsk_schema')).toBeUndefined()
      } finally {
        await a.close()
        await b.close()
      }
    })

    it('translates driver errors: the conflicting key, and a NUL that jsonb cannot hold', async () => {
      const store = await PostgresStore.open({ url, schema: runSchema })
      try {
        await store.migrate()
        const task = { task_id: 'tsk_pg_dup', tenant_id: 'pg', intent: 'x', request: {} }
        await store.tasks.create(task)
        const duplicate = store.tasks.create(task)
        await expect(duplicate).rejects.toBeInstanceOf(StoreConflictError)
        await expect(duplicate).rejects.toMatchObject({
          fields: { entity: 'tasks', key: '(tenant_id, task_id)=(pg, tsk_pg_dup)' },
        })
        const nul = store.tasks.create({
          ...task,
          task_id: 'tsk_nul',
          request: { text: 'a\u0000b' },
        })
        await expect(nul).rejects.toBeInstanceOf(StoreValueUnsupportedError)
      } finally {
        await store.close()
      }
    })

    it('rejects a schema name that would need quoting', async () => {
      await expect(PostgresStore.open({ url, schema: 'bad"; drop' })).rejects.toBeInstanceOf(
        StoreOptionsInvalidError,
      )
    })
  })
})

describe('PostgresStore without a server', () => {
  it('throws StoreUnavailableError with the driver error as cause when nothing listens', async () => {
    const open = PostgresStore.open({
      url: 'postgres://postgres@127.0.0.1:1/test',
      connectTimeoutMs: 2000,
    })
    await expect(open).rejects.toBeInstanceOf(StoreUnavailableError)
    await expect(open).rejects.toMatchObject({
      code: 'AION_STORE_UNAVAILABLE',
      retryable: true,
      cause: expect.anything(),
    })
  })
})
