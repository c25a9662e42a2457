/**
 * Declared pipelines end to end through POST /v1/tasks and the SSE stream,
 * on the platform as `npm start` composes it: the invoice_ocr pipeline
 * (ocr_tesseract in the bubblewrap sandbox → invoice_extract) on invoice
 * images rendered here with ImageMagick, under local-only privacy, with the
 * cloud test upstream counting zero requests; and the hybrid pipelines
 * (redact_pii → model, redact_pii → model → summarize_text), whose model
 * step reaches the test upstream with only redacted text.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ResultEnvelope, StreamEvent } from '../../contracts/generated/index.js'
import { probeSandbox } from '../../src/runtime/index.js'
import { describeWithEngine, type EngineProbe } from '../support/engines.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'
import { ended, listenToStream } from '../support/stream-client.js'

let t: TestPlatform
beforeAll(async () => {
  t = await startTestPlatform({ env: { AION_RETRY_MAX: '0' } })
})
afterAll(() => t?.close())
beforeEach(() => t.upstream.reset())

/** POST /v1/tasks, waiting for the end; the final envelope. */
async function runTask(body: unknown): Promise<ResultEnvelope> {
  const response = await t.submit(body, { prefer: 'wait=60' })
  expect(response.status).toBe(200)
  return (await response.json()) as ResultEnvelope
}

/** Every event of an ended task's stream, read with a real EventSource from the start. */
async function streamOf(taskId: string): Promise<StreamEvent[]> {
  return (await listenToStream(t, taskId, { stop: ended })).map((e) => e.data)
}

function usageOf(taskId: string) {
  return t.platform.store.usage.listByTask('default', taskId)
}

const personal =
  'Please pay invoice 2024-17. Questions: call +1-202-555-0143 or (555) 123-4567, ' +
  'or mail jane.doe@example.com, cc billing+eu@mail.example.org. Thank you.'
const leaks = ['202-555-0143', '555) 123-4567', '123-4567', 'jane.doe@', 'billing+eu@', 'example']

describe('redact → model: a hybrid-privacy task', () => {
  it('reaches the cloud upstream with only redacted text', async () => {
    t.upstream.script({ content: '{"invoice":"2024-17","contact":"[EMAIL]"}' })
    const done = await runTask({
      intent: 'extract',
      privacy: 'hybrid',
      input: { text: personal, fields: ['invoice', 'contact'] },
    })
    expect(done).toMatchObject({
      status: 'succeeded',
      route: 'hybrid',
      engine: { kind: 'pipeline', name: 'extract_redacted+openai:gpt-4.1-mini' },
      output: { invoice: '2024-17', contact: '[EMAIL]' },
    })
    expect(t.upstream.requests).toHaveLength(1)
    const received = JSON.stringify(t.upstream.requests[0]!.body)
    for (const leak of leaks) expect(received).not.toContain(leak)
    expect(received.match(/\[PHONE\]/g)).toHaveLength(2)
    expect(received.match(/\[EMAIL\]/g)).toHaveLength(2)
    expect(received).toContain('Please pay invoice 2024-17.')

    const usage = await usageOf(done.task_id)
    expect(usage.map((u) => u.module ?? u.model)).toEqual(['redact_pii', 'openai:gpt-4.1-mini'])
    expect(usage[1]!.costUsd).toBe(done.usage.cost_usd)
  })
})

describe('redact → model → module: summarize on the hybrid route', () => {
  it('streams one partial per step, tokens of the model step, and records one usage row per step', async () => {
    t.upstream.script({ content: 'Payment is due. Contact billing for questions.' })
    const done = await runTask({
      intent: 'summarize',
      route: 'hybrid',
      stream: true,
      input: { text: personal, max_sentences: 1 },
    })
    expect(done).toMatchObject({
      status: 'succeeded',
      engine: { kind: 'pipeline', name: 'summarize_redacted+openai:gpt-4.1-mini' },
    })
    const output = done.output as { summary: string; sentences: number[] }
    expect(output.summary.length).toBeGreaterThan(0)
    expect('Payment is due. Contact billing for questions.').toContain(output.summary)

    const events = await streamOf(done.task_id)
    const partials = events.filter((e) => e.event === 'partial')
    expect(partials.map((e) => e.step)).toEqual([0, 1, 2])
    expect(partials[0]!.output).toMatchObject({ max_sentences: 1 })
    expect(JSON.stringify(partials[0]!.output)).not.toContain('jane.doe@example.com')
    expect(partials[1]!.output).toEqual({ text: 'Payment is due. Contact billing for questions.' })
    expect(partials[2]!.output).toEqual(done.output)
    const tokens = events.filter((e) => e.event === 'token')
    expect(tokens.length).toBeGreaterThan(0)
    expect(tokens.every((e) => e.step === 1)).toBe(true)
    expect(events.at(-1)).toMatchObject({ event: 'done', envelope: { status: 'succeeded' } })

    const usage = await usageOf(done.task_id)
    expect(usage.map((u) => u.module ?? u.model)).toEqual([
      'redact_pii',
      'openai:gpt-4.1-mini',
      'summarize_text',
    ])
  })

  it('fails with an error that names the pipeline and the step that failed', async () => {
    t.upstream.script({ content: '' })
    const done = await runTask({
      intent: 'summarize',
      route: 'hybrid',
      input: { text: 'Two sentences here. And another one.' },
    })
    expect(done.status).toBe('failed')
    expect(done.error).toMatchObject({ code: 'AION_PIPELINE_STEP_FAILED' })
    expect(done.error?.message).toMatch(
      /^pipeline summarize_redacted: step 2 \(module summarize_text\) failed: AION_MODULE_INPUT_INVALID/,
    )
    // The steps that ran before the failure were recorded (the model step was charged).
    const usage = await usageOf(done.task_id)
    expect(usage.map((u) => u.module ?? u.model)).toEqual(['redact_pii', 'openai:gpt-4.1-mini'])
  })
})

/** tesseract and ImageMagick on PATH, and the subprocess sandbox ocr_tesseract runs in. */
async function probeOcrTools(): Promise<EngineProbe<void>> {
  for (const [tool, flag] of [
    ['tesseract', '--version'],
    ['convert', '-version'],
    ['bwrap', '--version'],
  ] as const) {
    const result = spawnSync(tool, [flag], { encoding: 'utf8' })
    if (result.status !== 0) {
      const reason = result.error?.message ?? result.stderr
      return { ok: false, reason: `${tool} ${flag} failed: ${reason}` }
    }
  }
  const sandbox = await probeSandbox()
  if (!sandbox.available) return { ok: false, reason: `no subprocess sandbox: ${sandbox.reason}` }
  return { ok: true, value: undefined }
}

/** Renders black text on white, like a scanned page; the PNG's base64. */
function renderInvoice(dir: string, name: string, lines: readonly string[]): string {
  const file = join(dir, `${name}.png`)
  const args = ['-size', '1200x700', 'xc:white', '-font', 'DejaVu-Sans', '-pointsize', '28']
  args.push('-fill', 'black')
  lines.forEach((text, i) => args.push('-annotate', `+40+${60 + i * 50}`, text))
  const result = spawnSync('convert', [...args, file], { encoding: 'utf8' })
  expect(result.status, result.stderr).toBe(0)
  return readFileSync(file).toString('base64')
}

describeWithEngine(
  'invoice_ocr through POST /v1/tasks (tesseract, ImageMagick, bubblewrap)',
  await probeOcrTools(),
  () => {
    let dir: string
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'aion-e2e-invoices-'))
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('extracts the fields under local-only privacy; no request reaches the cloud upstream', async () => {
      const image = renderInvoice(dir, 'acme', [
        'ACME GmbH',
        'Musterstrasse 1, 10115 Berlin',
        'Invoice No. INV-2024-0042',
        'Date: 15.03.2024',
        'Due Date: 14.04.2024',
        'Subtotal: € 1.037,45',
        'VAT 19%: € 197,11',
        'TOTAL EUR € 1.234,56',
      ])
      const done = await runTask({
        intent: 'invoice_ocr',
        privacy: 'local-only',
        stream: true,
        input: { image_base64: image },
      })
      expect(done).toMatchObject({
        status: 'succeeded',
        route: 'local',
        engine: { kind: 'pipeline', name: 'invoice_ocr', version: '0.1.0', tier: 'tier0' },
        usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
        output: {
          invoice_number: 'INV-2024-0042',
          issue_date: '2024-03-15',
          due_date: '2024-04-14',
          currency: 'EUR',
          total: 1234.56,
          subtotal: 1037.45,
          tax: 197.11,
          vendor: 'ACME GmbH',
        },
      })
      expect(t.upstream.requests).toHaveLength(0)

      const events = await streamOf(done.task_id)
      const partials = events.filter((e) => e.event === 'partial')
      expect(partials.map((e) => e.step)).toEqual([0, 1])
      expect((partials[0]!.output as { text: string }).text).toContain('INV-2024-0042')
      expect(partials[1]!.output).toEqual(done.output)

      const usage = await usageOf(done.task_id)
      expect(usage.map((u) => [u.module, u.provider, u.costUsd])).toEqual([
        ['ocr_tesseract', null, 0],
        ['invoice_extract', null, 0],
      ])
      // The decision never listed a cloud engine, not even as a fallback.
      const decisions = await t.platform.controlPlane.platformEvents(
        0,
        10_000,
        'aion.router.decisions',
      )
      const decision = decisions.find((e) => e.key === done.task_id)?.payload as {
        decision: { engine: { provider?: string }; fallbacks: { engine: { provider?: string } }[] }
      }
      const providers = [
        decision.decision.engine,
        ...decision.decision.fallbacks.map((f) => f.engine),
      ]
        .map((e) => e.provider)
        .filter((p) => p !== undefined)
      expect(providers.every((p) => p === 'ollama' || p === 'vllm')).toBe(true)
    })

    it('names the failing step: an image with no invoice on it fails at invoice_extract', async () => {
      const image = renderInvoice(dir, 'blank', ['Nothing to see here'])
      const done = await runTask({
        intent: 'invoice_ocr',
        privacy: 'local-only',
        input: { image_base64: image },
      })
      expect(done.status).toBe('failed')
      expect(done.error?.code).toBe('AION_PIPELINE_STEP_FAILED')
      expect(done.error?.message).toMatch(
        /^pipeline invoice_ocr: step 1 \(module invoice_extract\) failed: AION_MODULE_/,
      )
      expect(t.upstream.requests).toHaveLength(0)
      const usage = await usageOf(done.task_id)
      expect(usage.map((u) => u.module)).toEqual(['ocr_tesseract'])
    })
  },
)
