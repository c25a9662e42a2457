/**
 * Privacy by place through the whole platform, as settings configure it: the
 * shipped registries' vLLM model (tier0, `upstream_model`
 * meta-llama/Llama-3.1-8B-Instruct) served by a real test upstream on
 * 127.0.0.2. With AION_LOCAL_NETWORKS=127.0.0.1/32 a local-only task never
 * reaches it; with 127.0.0.0/8 it runs there, under its upstream name, with
 * the request's trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { startUpstream, type Upstream } from '../upstream/openai-upstream.js'

const traceId = '0af7651916cd43dd8448eb211c80319c'
const task = {
  intent: 'answer',
  input: { question: 'Where do the data go. Nowhere else.' },
  route: 'local',
  privacy: 'local-only',
}

let vllm: Upstream
beforeAll(async () => {
  vllm = await startUpstream({ host: '127.0.0.2' })
})
afterAll(() => vllm?.close())

async function withPlatform(localNetworks: string, body: (t: TestPlatform) => Promise<void>) {
  const t = await startTestPlatform({
    env: { AION_VLLM_BASE_URL: vllm.url, AION_LOCAL_NETWORKS: localNetworks },
  })
  try {
    await body(t)
  } finally {
    await t.close()
  }
}

describe('a local-only task on a vLLM server at 127.0.0.2', () => {
  it('is refused where only 127.0.0.1/32 is on the premises, with nothing sent', async () => {
    await withPlatform('127.0.0.1/32', async (t) => {
      const response = await t.submit(task, { prefer: 'wait=10' })
      const text = await response.text()
      expect(text).toContain('ENDPOINT_NOT_LOCAL')
      expect(text).not.toContain('"status":"succeeded"')
      expect(vllm.connections()).toBe(0)
      expect(vllm.bytesReceived()).toBe(0)
    })
  })

  it('runs there under its upstream name where 127.0.0.0/8 is, carrying the trace', async () => {
    await withPlatform('127.0.0.0/8', async (t) => {
      const response = await t.submit(task, {
        prefer: 'wait=10',
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      })
      const envelope = (await response.json()) as { status: string; engine: { name: string } }
      expect(envelope).toMatchObject({ status: 'succeeded', engine: { name: 'vllm:llama3.1' } })
      expect(vllm.requests.map((r) => (r.body as { model: string }).model)).toEqual([
        'meta-llama/Llama-3.1-8B-Instruct',
      ])
      expect(String(vllm.requests[0]?.headers.traceparent)).toMatch(
        new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
      )
    })
  })
})
