/**
 * Crash recovery with a real SIGKILL of the server process, for two
 * tenants: after a restart, every tenant's tasks are recovered — those
 * whose engine call had started fail AION_TASK_INTERRUPTED (retryable),
 * those still waiting for a worker (`routed`, no engine call made) run
 * again and finish, as do those still `queued` (being routed) — and an
 * Idempotency-Key whose request was in flight at
 * the kill answers the task's terminal envelope instead of 409.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ResultEnvelope } from '../../contracts/generated/index.js'
import {
  aionctl,
  cleanUpProcesses,
  startServer as startProcess,
  tempDir,
  type StartedServer,
} from '../support/server-process.js'
import { startUpstream, type Upstream } from '../upstream/openai-upstream.js'

let upstream: Upstream | undefined

afterAll(async () => {
  cleanUpProcesses()
  await upstream?.close()
})

function startServer(dataDir: string, upstreamUrl: string, configDir = 'config') {
  return startProcess({
    AION_DATA_DIR: dataDir,
    AION_CONFIG_DIR: configDir,
    AION_OPENAI_API_KEY: 'sk-crash',
    AION_OPENAI_BASE_URL: upstreamUrl,
    // Two api workers: each tenant's first task runs (and hangs), the second waits `routed`.
    AION_WORKERS_API: '2',
    AION_SHUTDOWN_TIMEOUT_MS: '2000',
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

describe('crash recovery (SIGKILL, two tenants)', () => {
  it('interrupts running tasks, reruns routed ones, and replays an in-flight key after restart', async () => {
    upstream = await startUpstream()
    upstream.script({ hang: true }, { hang: true })
    const dataDir = tempDir()
    const first = await startServer(dataDir, upstream.url)
    const created = aionctl(['keys', 'create', '--tenant', 'tenant_b', '--json'], {
      AION_DATA_DIR: dataDir,
    })
    expect(created.code).toBe(0)
    const keys = { a: first.key ?? '', b: (JSON.parse(created.stdout) as { key: string }).key }

    const post = (server: StartedServer, key: string, body: object, headers = {}) =>
      fetch(`${server.url}/v1/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
    const read = async (server: StartedServer, key: string, taskId: string) =>
      (await (
        await fetch(`${server.url}/v1/tasks/${taskId}`, {
          headers: { authorization: `Bearer ${key}` },
        })
      ).json()) as ResultEnvelope
    const task = (tenant: string, n: number) => ({
      intent: 'answer',
      route: 'api',
      input: { question: `${tenant} ${n}?` },
    })

    // Tenant A's first task waits on its answer under an Idempotency-Key: in flight at the kill.
    const idem = { 'idempotency-key': 'crash-key-1', prefer: 'wait=60' }
    const inFlight = post(first, keys.a, task('a', 1), idem).catch(() => undefined)
    const a1 = await until('the first call upstream', async () =>
      upstream?.requests.length === 1 ? true : undefined,
    )
    expect(a1).toBe(true)
    const b1 = (await (await post(first, keys.b, task('b', 1))).json()) as ResultEnvelope
    await until('both calls upstream', async () =>
      upstream?.requests.length === 2 ? true : undefined,
    )
    const a2 = (await (await post(first, keys.a, task('a', 2))).json()) as ResultEnvelope
    const b2 = (await (await post(first, keys.b, task('b', 2))).json()) as ResultEnvelope
    for (const [key, id] of [
      [keys.a, a2.task_id],
      [keys.b, b2.task_id],
    ] as const) {
      await until(`${id} routed`, async () =>
        (await read(first, key, id)).status === 'routed' ? true : undefined,
      )
    }
    const before = (await read(first, keys.b, b1.task_id)).status
    expect(before).toBe('running')
    const stillWaiting = await Promise.race([inFlight.then(() => 'answered'), sleep(100)])
    expect(stillWaiting).toBeUndefined()

    first.child.kill('SIGKILL')
    await first.exited
    await inFlight
    upstream.reset() // from now on the upstream answers

    const second = await startServer(dataDir, upstream.url)
    // The in-flight key's task, looked up by the key alone.
    const retried = await post(second, keys.a, task('a', 1), idem)
    expect(retried.status).toBe(200)
    expect(retried.headers.get('idempotent-replayed')).toBe('true')
    const replayed = (await retried.json()) as ResultEnvelope
    expect(replayed).toMatchObject({
      status: 'failed',
      error: { code: 'AION_TASK_INTERRUPTED', retryable: true },
    })
    expect(await read(second, keys.b, b1.task_id)).toMatchObject({
      status: 'failed',
      error: { code: 'AION_TASK_INTERRUPTED', retryable: true },
    })
    for (const [key, id] of [
      [keys.a, a2.task_id],
      [keys.b, b2.task_id],
    ] as const) {
      const done = await until(`${id} ended`, async () => {
        const envelope = await read(second, key, id)
        return ['queued', 'routed', 'running'].includes(envelope.status) ? undefined : envelope
      })
      expect(done).toMatchObject({ status: 'succeeded', engine: { provider: 'openai' } })
    }
    // Tenant isolation holds through recovery: B's task is not A's to read.
    expect(
      (
        await fetch(`${second.url}/v1/tasks/${b2.task_id}`, {
          headers: { authorization: `Bearer ${keys.a}` },
        })
      ).status,
    ).toBe(404)
    // The same key again: the terminal envelope, stored for good.
    const again = (await (await post(second, keys.a, task('a', 1), idem)).json()) as ResultEnvelope
    expect(again.task_id).toBe(replayed.task_id)
    expect(again.status).toBe('failed')

    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
  })
  it('runs again, in both tenants, the tasks still queued (being routed) at the kill', async () => {
    upstream ??= await startUpstream()
    upstream.reset()
    // An LLM router that hangs holds tasks `queued` while they are routed.
    const configDir = tempDir('aion-config-')
    cpSync('config', configDir, { recursive: true })
    const policies = join(configDir, 'policies.yml')
    writeFileSync(
      policies,
      readFileSync(policies, 'utf8').replace(
        '  llm_router_timeout_ms: 300',
        "  router_model: 'openai:gpt-4.1-mini'\n  llm_router_timeout_ms: 60000",
      ),
    )
    upstream.script({ hang: true }, { hang: true })
    const dataDir = tempDir()
    const first = await startServer(dataDir, upstream.url, configDir)
    const created = aionctl(['keys', 'create', '--tenant', 'tenant_b', '--json'], {
      AION_DATA_DIR: dataDir,
    })
    expect(created.code).toBe(0)
    const keys = [first.key ?? '', (JSON.parse(created.stdout) as { key: string }).key]
    const ids: string[] = []
    for (const key of keys) {
      const answer = await fetch(`${first.url}/v1/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ intent: 'answer', route: 'api', input: { question: 'queued?' } }),
      })
      ids.push(((await answer.json()) as ResultEnvelope).task_id)
    }
    await until('both router calls upstream', async () =>
      upstream?.requests.length === 2 ? true : undefined,
    )
    for (const [i, id] of ids.entries()) {
      const envelope = (await (
        await fetch(`${first.url}/v1/tasks/${id}`, {
          headers: { authorization: `Bearer ${keys[i] ?? ''}` },
        })
      ).json()) as ResultEnvelope
      expect(envelope.status).toBe('queued')
    }
    first.child.kill('SIGKILL')
    await first.exited
    upstream.reset() // the router's answer is no decision: the rules decide, and the model answers

    const second = await startServer(dataDir, upstream.url, configDir)
    for (const [i, id] of ids.entries()) {
      const done = await until(`${id} ended`, async () => {
        const envelope = (await (
          await fetch(`${second.url}/v1/tasks/${id}`, {
            headers: { authorization: `Bearer ${keys[i] ?? ''}` },
          })
        ).json()) as ResultEnvelope
        return ['queued', 'routed', 'running'].includes(envelope.status) ? undefined : envelope
      })
      expect(done).toMatchObject({ status: 'succeeded', engine: { provider: 'openai' } })
    }
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
  })
})
