/**
 * Declared pipelines through the real control plane: the redact_pii and
 * summarize_text WASM modules, the test upstream behind the azure and openai
 * providers. Step order, the data each step gets, per-step partials, usage
 * rows and metrics, errors naming the step, and the privacy check that runs
 * before any step.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { StreamEvent } from '../../../contracts/generated/index.js'
import { checkContract } from '../../core/contracts/contract-validator.js'
import { PlainAbortController } from '../../core/plain-abort.js'
import type { RegistrySet } from '../../core/registry/index.js'
import { Secret } from '../../core/secret.js'
import { closeProviders, createProviders } from '../../providers/index.js'
import type { ProviderSet } from '../../providers/model-provider.js'
import { createModuleExecutor, type ClosableModuleExecutor } from '../../runtime/index.js'
import { InProcessBudgetLedger } from '../budget/in-process-budget-ledger.js'
import { startHarness, type Harness } from '../control-plane.fixture.js'
import type { ExecutionMetric } from '../lifecycle/platform-topics.js'
import { CircuitBreakers } from '../resilience/circuit-breaker.js'
import { LatencyTracker } from '../resilience/latency-tracker.js'
import { TaskStream } from '../streams/task-stream.js'
import type { EngineTarget, ExecutionDeps } from './execution-deps.js'
import { runPipeline } from './pipeline-execution.js'
import type { TaskContext } from './task-context.js'
import { loadPackages } from '../../distribution/aip/index.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await h?.close()
})
beforeEach(() => h.upstream.reset())

const personal =
  'Invoice 2024-17 from Jane Doe: call +1-202-555-0143 or (555) 123-4567, ' +
  'mail jane.doe@example.com or billing+eu@mail.example.org. Total due: 1,249.50 EUR.'
const leaks = [
  '202-555-0143',
  '123-4567',
  'jane.doe@example.com',
  'billing+eu@mail.example.org',
  'example',
]

async function collect(iterable: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = []
  for await (const event of iterable) out.push(event)
  return out
}

async function metricsOf(taskId: string) {
  const events = await h.cp.platformEvents(0, 10_000, 'aion.runtime.metrics')
  return events
    .filter((e) => e.key === taskId)
    .map(
      (e) =>
        e.payload as {
          engine: string
          kind: string
          outcome: string
          error_code: string
          pipeline?: string
          step?: number
        },
    )
}

async function run(request: Parameters<Harness['submit']>[0]) {
  const queued = await h.submit(request)
  const done = await h.cp.waitForEnd('default', queued.task_id, 15_000)
  expect(checkContract('result-envelope', done)).toEqual([])
  const stream = await collect(h.cp.events('default', queued.task_id, 0))
  const usage = await h.store.usage.listByTask('default', queued.task_id)
  return { done, stream, usage, metrics: await metricsOf(queued.task_id) }
}

describe('redact → model (extract, hybrid privacy)', () => {
  it('sends the model only redacted text and answers with its fields', async () => {
    h.upstream.script({ content: '{"total":"1,249.50 EUR","vendor":"[NAME]"}' })
    const { done, stream, usage, metrics } = await run({
      intent: 'extract',
      input: { text: personal, fields: ['total', 'vendor'] },
    })
    expect(done).toMatchObject({
      status: 'succeeded',
      route: 'hybrid',
      engine: {
        kind: 'pipeline',
        name: 'extract_redacted+azure:gpt-4o-mini',
        version: '0.1.0',
        provider: 'azure',
      },
      output: { total: '1,249.50 EUR', vendor: '[NAME]' },
    })
    expect(h.upstream.requests).toHaveLength(1)
    const sent = JSON.stringify(h.upstream.requests[0]!.body)
    for (const leak of leaks) expect(sent).not.toContain(leak)
    expect(sent).toContain('[EMAIL]')
    expect(sent).toContain('[PHONE]')
    expect(sent).toContain('Total due: 1,249.50 EUR.')

    const partials = stream.filter((e) => e.event === 'partial')
    expect(partials.map((e) => e.step)).toEqual([0, 1])
    const redacted = partials[0]!.output as { text: string; fields: string[] }
    expect(redacted.fields).toEqual(['total', 'vendor'])
    expect(redacted.text).toMatch(/^Invoice 2024-17 from \[NAME\] Doe: call \[PHONE\] or \[PHONE\]/)
    expect(stream.at(-1)?.event).toBe('done')

    expect(usage.map((u) => [u.module, u.provider, u.model])).toEqual([
      ['redact_pii', null, null],
      [null, 'azure', 'azure:gpt-4o-mini'],
    ])
    expect(usage[1]!.costUsd).toBe(done.usage.cost_usd)
    expect(done.usage.cost_usd).toBeGreaterThan(0)
    expect(metrics.map((m) => [m.kind, m.engine, m.outcome, m.pipeline, m.step])).toEqual([
      ['module', 'redact_pii', 'success', 'extract_redacted', 0],
      ['model', 'azure:gpt-4o-mini', 'success', 'extract_redacted', 1],
      ['pipeline', 'extract_redacted+azure:gpt-4o-mini', 'success', undefined, undefined],
    ])
  })
})

describe('redact → model → module (summarize on the hybrid route)', () => {
  it('feeds each step the one before, streams a partial and a token per step, one usage row per step', async () => {
    h.upstream.script({ content: 'Jane asked for payment. The total is due.', chunkDelayMs: 1 })
    const { done, stream, usage } = await run({
      intent: 'summarize',
      input: { text: personal, max_sentences: 2 },
      route: 'hybrid',
      stream: true,
    })
    expect(done).toMatchObject({
      status: 'succeeded',
      engine: { kind: 'pipeline', name: 'summarize_redacted+azure:gpt-4o-mini' },
    })
    // summarize_text's answer over the model's text, in the local route's shape.
    expect(done.output).toMatchObject({ summary: 'Jane asked for payment. The total is due.' })
    const body = h.upstream.requests[0]!.body as { messages: { role: string; content: string }[] }
    expect(body.messages[0]!.content).toMatch(/at most 2 sentences/)
    expect(body.messages[1]!.content).not.toContain('jane.doe@example.com')

    const steps = stream.map((e) =>
      e.event === 'token' || e.event === 'partial' ? `${e.event}:${e.step}` : e.event,
    )
    expect(steps.pop()).toBe('done')
    expect(steps[0]).toBe('partial:0')
    expect(new Set(steps.slice(1, -2))).toEqual(new Set(['token:1']))
    expect(steps.slice(-2)).toEqual(['partial:1', 'partial:2'])
    expect(usage.map((u) => u.module ?? u.model)).toEqual([
      'redact_pii',
      'azure:gpt-4o-mini',
      'summarize_text',
    ])
  })
})

describe('a failing step', () => {
  it('fails the task with an error naming the pipeline and the step, after every fallback', async () => {
    // An empty answer is not a text summarize_text accepts: step 2 fails on both candidates.
    h.upstream.script({ content: '' }, { content: '' })
    const { done, usage, metrics } = await run({
      intent: 'summarize',
      input: { text: 'A short text. It has two sentences.' },
      route: 'hybrid',
    })
    expect(done.status).toBe('failed')
    expect(done.error).toMatchObject({ code: 'AION_PIPELINE_STEP_FAILED', retryable: false })
    expect(done.error?.message).toMatch(
      /^pipeline summarize_redacted: step 2 \(module summarize_text\) failed: AION_MODULE_INPUT_INVALID: /,
    )
    expect(done.engine?.name).toBe('summarize_redacted+openai:gpt-4.1-mini')
    expect(h.upstream.requests).toHaveLength(2)
    // The model steps ran and were charged: their rows are kept although the task failed.
    expect(usage.filter((u) => u.model !== null).map((u) => u.model)).toEqual([
      'azure:gpt-4o-mini',
      'openai:gpt-4.1-mini',
    ])
    const failures = metrics.filter((m) => m.outcome === 'failure')
    expect(failures[0]).toMatchObject({ pipeline: 'summarize_redacted', step: 2 })
    expect(failures.map((m) => [m.kind, m.engine, m.error_code])).toEqual([
      ['module', 'summarize_text', 'AION_MODULE_INPUT_INVALID'],
      ['pipeline', 'summarize_redacted+azure:gpt-4o-mini', 'AION_PIPELINE_STEP_FAILED'],
      ['module', 'summarize_text', 'AION_MODULE_INPUT_INVALID'],
      ['pipeline', 'summarize_redacted+openai:gpt-4.1-mini', 'AION_PIPELINE_STEP_FAILED'],
    ])
  })

  it('falls back to the next candidate when a model step fails', async () => {
    h.upstream.script({ status: 400 })
    const { done } = await run({
      intent: 'extract',
      input: { text: 'Nothing personal here.', fields: ['topic'] },
    })
    expect(done).toMatchObject({
      status: 'succeeded',
      engine: { name: 'extract_redacted+openai:gpt-4.1-mini' },
      output: {},
    })
  })
})

describe('the privacy check before any step', () => {
  let providers: ProviderSet
  let modules: ClosableModuleExecutor
  beforeAll(async () => {
    providers = createProviders({
      timeoutMs: 5000,
      openai: { baseUrl: h.upstream.url, apiKey: new Secret('sk-test') },
      azure: undefined,
      vllm: undefined,
      ollama: undefined,
      hf: undefined,
    })
    modules = await createModuleExecutor({ packages: await loadPackages('modules') })
  })
  afterAll(async () => {
    await modules?.close()
    if (providers) await closeProviders(providers)
  })

  function depsOf(): ExecutionDeps {
    return {
      providers,
      modules,
      budget: new InProcessBudgetLedger({ dailyCapUsd: () => undefined }),
      breakers: new CircuitBreakers({ failures: 5, cooldownMs: 1000 }),
      latency: new LatencyTracker(),
    }
  }

  function context(set: RegistrySet, privacy: 'hybrid' | 'local-only'): TaskContext {
    return {
      taskId: 'tsk_01J9ZQ6R0S1T2V3W4X5Y6Z7A8B',
      tenantId: 'default',
      request: { intent: 'extract', input: { text: personal, fields: ['x'] } },
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      registries: { set, version: 1 },
      features: {
        tenantId: 'default',
        intent: 'extract',
        requestedRoute: 'auto',
        privacy,
        budgetUsd: 0.02,
        inputBytes: 200,
        estimatedInputTokens: 50,
        estimatedOutputTokens: 64,
        piiDetected: true,
      },
      stream: new TaskStream('tsk_01J9ZQ6R0S1T2V3W4X5Y6Z7A8B', 'default'),
      abort: new PlainAbortController(),
      phase: 'started',
      streamedOutput: false,
      deadlineAt: Date.now() + 10_000,
      record: undefined as never,
    }
  }

  const target: EngineTarget = {
    route: 'hybrid',
    tier: 'tier1',
    engine: {
      kind: 'pipeline',
      name: 'extract_redacted+openai:gpt-4.1-mini',
      provider: 'openai',
      model: 'gpt-4.1-mini',
      tier: 'tier1',
    },
  }

  it('refuses a cloud step without a redact step right before it, sending nothing', async () => {
    // A set the registry rules would refuse, as a bug elsewhere could produce it.
    const pipelines = h.set.modules.pipelines.map((p) =>
      p.name === 'extract_redacted' ? { ...p, steps: p.steps.filter((s) => !s.redact) } : p,
    )
    const set = { ...h.set, modules: { ...h.set.modules, pipelines } }
    const trail = { metrics: [] as ExecutionMetric[], charged: [], attempt: 1 }
    const ctx = context(set, 'hybrid')
    await expect(runPipeline(depsOf(), ctx, target, ctx.abort.signal, trail)).rejects.toMatchObject(
      {
        code: 'AION_PIPELINE_PRIVACY_REFUSED',
        message:
          'pipeline extract_redacted: step 0 would send hybrid data to cloud model openai:gpt-4.1-mini without a redact step right before it; nothing was sent',
      },
    )
    expect(trail.metrics).toEqual([])
    expect(h.upstream.requests).toHaveLength(0)
  })

  it('refuses a cloud step for a local-only task, even after redaction', async () => {
    const ctx = context(h.set, 'local-only')
    const trail = { metrics: [] as ExecutionMetric[], charged: [], attempt: 1 }
    await expect(runPipeline(depsOf(), ctx, target, ctx.abort.signal, trail)).rejects.toMatchObject(
      { code: 'AION_PIPELINE_PRIVACY_REFUSED' },
    )
    expect(h.upstream.requests).toHaveLength(0)
  })
})
