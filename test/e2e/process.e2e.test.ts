/**
 * The platform as separate processes, as a user runs it: `aionctl submit`
 * against a running server, SIGTERM drain and SIGKILL mid-task (after a
 * restart no task is stuck `running`).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ResultEnvelope } from '../../contracts/generated/index.js'
import {
  aionctl,
  cleanUpProcesses,
  startServer as startProcess,
  tempDir,
} from '../support/server-process.js'
import { startUpstream, type Upstream } from '../upstream/openai-upstream.js'

let upstream: Upstream | undefined

afterAll(async () => {
  cleanUpProcesses()
  await upstream?.close()
})

function startServer(dataDir: string, upstreamUrl: string) {
  return startProcess({
    AION_DATA_DIR: dataDir,
    AION_OPENAI_API_KEY: 'sk-proc',
    AION_OPENAI_BASE_URL: upstreamUrl,
    AION_SHUTDOWN_TIMEOUT_MS: '3000',
  })
}

describe('the platform as processes', () => {
  it('aionctl submit --wait and --stream print a real summary', async () => {
    upstream ??= await startUpstream()
    const server = await startServer(tempDir(), upstream.url)
    const file = join(tempDir(), 'text.txt')
    writeFileSync(
      file,
      'The council approved the new budget on Monday. Dr. Lee said the plan costs 3.5 million. ' +
        'Rain fell in the afternoon. The budget funds schools and roads across the region.',
    )
    const env = { AION_URL: server.url, AION_API_KEY: server.key ?? '' }
    const waited = aionctl(['submit', '--intent', 'summarize', '--file', file, '--wait'], env)
    expect(waited.code).toBe(0)
    expect(waited.stdout).toMatch(/budget/)
    expect(waited.stderr).toMatch(/succeeded via local \(module summarize_text\)/)

    const streamed = aionctl(
      ['submit', '--intent', 'summarize', '--file', file, '--stream', '--json'],
      env,
    )
    expect(streamed.code).toBe(0)
    expect(
      (JSON.parse(streamed.stdout.slice(streamed.stdout.indexOf('{'))) as ResultEnvelope).status,
    ).toBe('succeeded')
  })

  it('after SIGKILL mid-task and a restart, no task is stuck running', async () => {
    upstream ??= await startUpstream()
    upstream.reset()
    upstream.script({ hang: true })
    const dataDir = tempDir()
    const first = await startServer(dataDir, upstream.url)
    const submitted = await fetch(`${first.url}/v1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ intent: 'answer', route: 'api', input: { question: 'hang?' } }),
    })
    const task = (await submitted.json()) as ResultEnvelope
    const deadline = Date.now() + 10_000
    while (upstream.requests.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    first.child.kill('SIGKILL')
    await first.exited

    const second = await startServer(dataDir, upstream.url)
    expect(second.key).toBeUndefined() // the first start's key is kept, not re-created
    const read = await fetch(`${second.url}/v1/tasks/${task.task_id}`, {
      headers: { authorization: `Bearer ${first.key}` },
    })
    const recovered = (await read.json()) as ResultEnvelope
    expect(recovered.status).toBe('failed')
    expect(recovered.error).toMatchObject({ code: 'AION_TASK_INTERRUPTED', retryable: true })

    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
  })

  it('SIGTERM mid-task drains: the open stream gets a final event, the process exits 0, nothing is left running', async () => {
    upstream ??= await startUpstream()
    upstream.reset()
    upstream.script({ hang: true })
    const dataDir = tempDir()
    const server = await startServer(dataDir, upstream.url)
    const headers = { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' }
    const task = (await (
      await fetch(`${server.url}/v1/tasks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          intent: 'answer',
          route: 'api',
          stream: true,
          input: { question: 'hang?' },
        }),
      })
    ).json()) as ResultEnvelope
    const stream = await fetch(`${server.url}/v1/stream/${task.task_id}`, { headers })
    const deadline = Date.now() + 10_000
    while (upstream.requests.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    server.child.kill('SIGTERM')
    const body = await stream.text()
    expect(body).toMatch(/event: (done|error)/)
    expect(await server.exited).toBe(0)

    const again = await startServer(dataDir, upstream.url)
    const final = (await (
      await fetch(`${again.url}/v1/tasks/${task.task_id}`, { headers })
    ).json()) as ResultEnvelope
    expect(['cancelled', 'failed']).toContain(final.status)
    again.child.kill('SIGTERM')
    await again.exited
  })
})
