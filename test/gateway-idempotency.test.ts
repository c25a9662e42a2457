/**
 * Idempotency-Key over real HTTP, on the real SQLite store and the real
 * PostgreSQL one through the gateway's port: replay, mismatch, in progress,
 * release on failure, scoping, windows, and 50 concurrent → 1 execution.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Actor } from '../src/core/domain/index.js'
import { mintApiKey } from '../src/core/auth/index.js'
import { StoreUnavailableError } from '../src/core/errors/index.js'
import { actorOf, registerAuth } from '../src/gateway/auth/index.js'
import {
  createIdempotency,
  currentEnvelope,
  requestFingerprint,
  type IdempotencyCache,
} from '../src/gateway/idempotency/index.js'
import { PostgresStore, SqliteStore, type Store } from '../src/storage/index.js'
import { edgeApp, listen } from './support/edge-app.js'
import { describeWithEngine } from './support/engines.js'
import { dropSchema, freshSchemaName, probePostgres } from './support/postgres.js'

const minute = 60_000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface TestBody {
  readonly n?: number
  readonly delayMs?: number
  readonly fail?: boolean
  readonly [field: string]: unknown
}

function runIdempotencySuite(name: string, open: () => Promise<Store>) {
  describe(name, () => {
    let store: Store
    let app: FastifyInstance
    let base: string
    let executions = 0
    const clock = { offsetMs: 0 }
    const keys: string[] = []
    const keyIds: string[] = []

    beforeAll(async () => {
      store = await open()
      await store.migrate()
      for (const keyName of ['a', 'b']) {
        const minted = mintApiKey()
        await store.apiKeys.create({ ...minted, name: keyName, scopes: ['tasks:write'] })
        keys.push(minted.key)
        keyIds.push(minted.keyId)
      }
      app = edgeApp()
      const auth = registerAuth(app, { apiKeys: store.apiKeys })
      // The real storage adapter must fit the gateway's port as it is.
      const cache: IdempotencyCache = store.idempotency
      const idempotency = createIdempotency({
        cache,
        nowMs: () => Date.now() + clock.offsetMs,
        refresh: async (_actor, stored) => ({
          status: 200,
          body: { ...(stored.body as object), status: 'succeeded' },
        }),
      })
      app.post('/v1/tasks', { onRequest: [auth.authenticate] }, (request, reply) =>
        idempotency.withIdempotency(request, reply, actorOf(request), async () => {
          const body = request.body as TestBody
          executions++
          const n = executions
          if (body.delayMs !== undefined) await sleep(body.delayMs)
          if (body.fail === true) throw new StoreUnavailableError({ engine: 'test' })
          return {
            status: 202,
            body: { task_id: `tsk_${n}`, status: 'queued', n: body.n ?? null },
            headers: { location: `/v1/tasks/tsk_${n}` },
          }
        }),
      )
      base = await listen(app)
    })

    afterAll(async () => {
      await app?.close()
      await store?.close()
    })

    async function post(body: TestBody, key?: string, credential = keys[0] ?? '') {
      const headers: Record<string, string> = {
        authorization: `Bearer ${credential}`,
        'content-type': 'application/json',
      }
      if (key !== undefined) headers['idempotency-key'] = key
      const response = await fetch(`${base}/v1/tasks`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      })
      return {
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
        headers: response.headers,
      }
    }

    const uniqueKey = (label: string) => `${label}-${Math.random().toString(36).slice(2)}`

    it('10 replays → 1 execution, the same status and body, marked as replayed', async () => {
      const key = uniqueKey('replay')
      const before = executions
      const first = await post({ n: 1, x: { a: 1, b: 2 } }, key)
      expect(first.status).toBe(202)
      expect(first.headers.get('location')).toBe(`/v1/tasks/${String(first.body.task_id)}`)
      expect(first.headers.get('idempotent-replayed')).toBeNull()
      for (let i = 0; i < 10; i++) {
        const again = await post({ x: { b: 2, a: 1 }, n: 1 }, key)
        expect(again.status).toBe(202)
        expect(again.body).toEqual(first.body)
        expect(again.headers.get('location')).toBe(first.headers.get('location'))
        expect(again.headers.get('idempotent-replayed')).toBe('true')
      }
      expect(executions - before).toBe(1)
    })

    it('the same key with another body → 422 AION_IDEMPOTENCY_KEY_REUSED', async () => {
      const key = uniqueKey('mismatch')
      expect((await post({ n: 1 }, key)).status).toBe(202)
      const reused = await post({ n: 2 }, key)
      expect(reused.status).toBe(422)
      expect(reused.body).toMatchObject({
        code: 'AION_IDEMPOTENCY_KEY_REUSED',
        idempotencyKey: key,
      })
    })

    it('a request while the first is in progress → 409 with Retry-After: 1, then the replay', async () => {
      const key = uniqueKey('progress')
      const first = post({ n: 3, delayMs: 400 }, key)
      await sleep(100)
      const during = await post({ n: 3, delayMs: 400 }, key)
      expect(during.status).toBe(409)
      expect(during.body.code).toBe('AION_IDEMPOTENCY_IN_PROGRESS')
      expect(during.headers.get('retry-after')).toBe('1')
      const done = await first
      expect((await post({ n: 3, delayMs: 400 }, key)).body).toEqual(done.body)
    })

    it('a failure that created nothing releases the key', async () => {
      const key = uniqueKey('fail')
      const before = executions
      const failed = await post({ n: 4, fail: true }, key)
      expect(failed.status).toBe(503)
      const retried = await post({ n: 4, fail: true }, key)
      expect(retried.status).toBe(503)
      expect(executions - before).toBe(2)
    })

    it('scopes keys per credential, and runs every request without a key', async () => {
      const key = uniqueKey('scope')
      const a = await post({ n: 5 }, key, keys[0])
      const b = await post({ n: 5 }, key, keys[1])
      expect(a.body.task_id).not.toBe(b.body.task_id)
      const before = executions
      await post({ n: 6 })
      await post({ n: 6 })
      expect(executions - before).toBe(2)
    })

    it('refuses an invalid key with 400', async () => {
      const invalid = await post({ n: 7 }, 'has space')
      expect(invalid.status).toBe(400)
      expect(invalid.body.code).toBe('AION_IDEMPOTENCY_KEY_INVALID')
    })

    it('refreshes the answer after 15 min and forgets the key after 24 h', async () => {
      const key = uniqueKey('windows')
      const first = await post({ n: 8 }, key)
      try {
        clock.offsetMs = 14 * minute
        expect((await post({ n: 8 }, key)).status).toBe(202)
        clock.offsetMs = 16 * minute
        const refreshed = await post({ n: 8 }, key)
        expect(refreshed.status).toBe(200)
        expect(refreshed.body).toEqual({ ...first.body, status: 'succeeded' })
        clock.offsetMs = 24 * 60 * minute + minute
        const anew = await post({ n: 8 }, key)
        expect(anew.status).toBe(202)
        expect(anew.body.task_id).not.toBe(first.body.task_id)
      } finally {
        clock.offsetMs = 0
      }
    })

    it('50 concurrent identical requests → exactly 1 execution', async () => {
      const key = uniqueKey('concurrent')
      const before = executions
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => post({ n: 9, delayMs: 50 }, key)),
      )
      expect(executions - before).toBe(1)
      const accepted = responses.filter((r) => r.status === 202)
      expect(accepted.length).toBeGreaterThanOrEqual(1)
      for (const r of accepted) expect(r.body).toEqual(accepted[0]?.body)
      for (const r of responses.filter((r) => r.status !== 202)) {
        expect(r.status).toBe(409)
      }
    })

    it("a key whose request died answers its bound task once the lock lapses, never 409 for the key's life", async () => {
      const key = uniqueKey('dead')
      const body = { n: 11 }
      const cache: IdempotencyCache = store.idempotency
      // What a process that died while waiting for its task leaves: in progress, bound, locked.
      const ref = { tenantId: 'default', credential: `api_key:${keyIds[0] ?? ''}`, key }
      const requestHash = requestFingerprint(body)
      const lock = { requestHash, ttlMs: 24 * 60 * minute, owner: 'proc_dead', lockMs: minute }
      expect((await cache.begin({ ...ref, ...lock, now: new Date() })).outcome).toBe('started')
      expect(await cache.bind(ref, 'tsk_dead')).toBe(true)
      const before = executions
      try {
        expect((await post(body, key)).status).toBe(409)
        clock.offsetMs = 2 * minute
        const resumed = await post(body, key)
        expect(resumed.status).toBe(200)
        expect(resumed.body).toEqual({ task_id: 'tsk_dead', status: 'succeeded' })
        expect(resumed.headers.get('idempotent-replayed')).toBe('true')
        // Stored for good: the next retry replays it as it is.
        const again = await post(body, key)
        expect(again.status).toBe(200)
        expect(again.body).toEqual(resumed.body)
      } finally {
        clock.offsetMs = 0
      }
      expect(executions).toBe(before)
    })

    it('a key whose request died before creating anything runs again once the lock lapses', async () => {
      const key = uniqueKey('dead-early')
      const body = { n: 12 }
      const ref = { tenantId: 'default', credential: `api_key:${keyIds[0] ?? ''}`, key }
      const lock = { requestHash: requestFingerprint(body), ttlMs: 60 * minute, lockMs: minute }
      await store.idempotency.begin({ ...ref, ...lock, owner: 'proc_dead', now: new Date() })
      // A restart lets every lock of another process lapse at once.
      expect(await store.idempotency.expireLocks('proc_alive')).toBeGreaterThanOrEqual(1)
      const before = executions
      const answer = await post(body, key)
      expect(answer.status).toBe(202)
      expect(answer.body).toMatchObject({ n: 12 })
      expect(executions - before).toBe(1)
    })

    it('50 concurrent begins through the port → exactly 1 started', async () => {
      const cache: IdempotencyCache = store.idempotency
      const ref = { tenantId: 'default', credential: 'api_key:port', key: uniqueKey('port') }
      const requestHash = requestFingerprint({ n: 10 })
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () =>
          cache.begin({
            ...ref,
            requestHash,
            ttlMs: minute,
            owner: 'proc_test',
            lockMs: minute,
            now: new Date(),
          }),
        ),
      )
      expect(outcomes.filter((o) => o.outcome === 'started')).toHaveLength(1)
      expect(outcomes.filter((o) => o.outcome === 'replay')).toHaveLength(49)
    })
  })
}

const dir = mkdtempSync(join(tmpdir(), 'aion-idem-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
runIdempotencySuite('idempotency on SQLite', () => SqliteStore.open({ dataDir: dir }))

const probe = await probePostgres()
describeWithEngine('PostgreSQL', probe, (url) => {
  const schema = freshSchemaName('aion_idem')
  afterAll(() => dropSchema(url, schema))
  runIdempotencySuite('idempotency on PostgreSQL', () => PostgresStore.open({ url, schema }))
})

describe('currentEnvelope', () => {
  it("answers the task's current envelope by the stored task_id, in the actor's tenant", async () => {
    const actor: Actor = { tenantId: 't1', kind: 'api_key', id: 'k', scopes: [] }
    const asked: string[] = []
    const refresh = currentEnvelope({
      get: async (tenantId: string, taskId: string) => {
        asked.push(`${tenantId}/${taskId}`)
        return { task_id: taskId, status: 'succeeded' } as never
      },
    })
    const fresh = await refresh(actor, { status: 202, body: { task_id: 'tsk_1' } })
    expect(fresh).toEqual({ status: 200, body: { task_id: 'tsk_1', status: 'succeeded' } })
    expect(asked).toEqual(['t1/tsk_1'])
    const stored = { status: 400, body: { code: 'x' } }
    expect(await refresh(actor, stored)).toBe(stored)
  })
})
