/**
 * Fuzzes `POST /v1/tasks` of the running platform (real SQLite store, real
 * HTTP over keep-alive connections) with more than 10,000 bodies: fast-check
 * JSON values, task-shaped records with hostile fields, mutated JSON text,
 * raw bytes, and hand-made hostile bodies (depth, width, unicode with lone
 * surrogates, huge numbers, duplicate keys, `__proto__` / `constructor` /
 * `prototype` keys), each with and without an `Idempotency-Key` (some keys
 * reused with another body). Not one answer may be 5xx, every error must be
 * problem+json with a code, and the platform must still be healthy after.
 */
import fc from 'fast-check'
import { Pool } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from './support/platform.js'

const seed = Number(process.env.AION_FUZZ_SEED ?? Date.now() % 2 ** 31)
const perArbitrary = 2_500
const concurrency = 8

let t: TestPlatform
let pool: Pool

beforeAll(async () => {
  t = await startTestPlatform()
  pool = new Pool(t.url, { connections: concurrency, keepAliveTimeout: 30_000 })
})
afterAll(async () => {
  await pool?.close()
  await t?.close()
})

const intents = fc.constantFrom('summarize', 'answer', 'extract', 'classify', 'Summarize', '')
const hostileNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 5e-324),
  fc.integer(),
)
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '\u0000', '\ud800', '\udfff'),
)
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  hostileNumber,
  hostileString,
  fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }),
)

/** Bodies shaped like a task, each field either sane or hostile. */
const taskShaped = fc
  .record(
    {
      intent: fc.oneof(intents, hostileValue),
      input: fc.oneof(
        fc.record({ text: hostileString }),
        fc.dictionary(hostileString, hostileValue, { maxKeys: 6 }),
        hostileValue,
      ),
      route: fc.oneof(fc.constantFrom('auto', 'local', 'api', 'hybrid'), hostileValue),
      privacy: fc.oneof(fc.constantFrom('local-only', 'hybrid', 'allow-api'), hostileValue),
      budget_usd: fc.oneof(hostileNumber, hostileValue),
      max_latency_ms: fc.oneof(fc.integer({ min: 1, max: 3_600_000 }), hostileNumber),
      stream: fc.oneof(fc.boolean(), hostileValue),
      metadata: fc.oneof(fc.dictionary(hostileString, hostileValue, { maxKeys: 40 }), hostileValue),
    },
    { requiredKeys: [] },
  )
  .map((body) => JSON.stringify(body))

/** Valid JSON text cut, spliced or patched at a random place. */
const mutatedText = fc
  .tuple(fc.json({ maxDepth: 4 }), fc.nat(), fc.nat({ max: 8 }), hostileString)
  .map(([text, at, cut, insert]) => {
    const i = at % (text.length + 1)
    return text.slice(0, i) + insert + text.slice(i + cut)
  })

const rawBytes = fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes))

const deep = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth)
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
const task = (input: string) => `{"intent":"summarize","input":${input}}`

/** Hand-made bodies, each aimed at one way a parser or a walker breaks. */
const hostile: (string | Buffer)[] = [
  // depth
  ...[63, 64, 65, 100, 1_000, 8_000, 100_000].flatMap((d) => [
    deep(d),
    deepObject(d),
    task(deepObject(d)),
    `{"intent":"summarize","input":{"text":"x"},"metadata":${deep(d)}}`,
  ]),
  `${'['.repeat(10_000)}`,
  `${']'.repeat(10_000)}`,
  // width
  `[${'1,'.repeat(200_000)}1]`,
  `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`,
  task(`{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":"v"`).join(',')}}`),
  task(`{"text":"${'word. '.repeat(100_000)}"}`),
  // unicode
  task('{"text":"\\ud800"}'),
  task('{"text":"\\udfff\\ud800"}'),
  task('{"\\ud800":"lone key"}'),
  Buffer.from(`{"intent":"summarize","input":{"text":"\u{1F600}\u202E\u0000"}}`),
  Buffer.concat([
    Buffer.from('{"intent":"summarize","input":{"text":"'),
    Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
    Buffer.from('"}}'),
  ]),
  Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(task('{"text":"BOM. First."}'))]),
  task('{"text":"\\u0000\\u001f\\u2028\\u2029"}'),
  '"\\u0000"',
  // huge numbers
  '{"intent":"summarize","input":{"text":"x"},"budget_usd":1e400}',
  '{"intent":"summarize","input":{"text":"x"},"budget_usd":-1e400}',
  '{"intent":"summarize","input":{"text":"x"},"max_latency_ms":123456789012345678901234567890}',
  '{"intent":"summarize","input":{"text":"x"},"max_latency_ms":1e-400}',
  `{"intent":"summarize","input":{"n":${'9'.repeat(100_000)}}}`,
  `{"intent":"summarize","input":{"n":0.${'0'.repeat(50_000)}1e99999}}`,
  '-0',
  '1e309',
  // duplicate keys
  '{"intent":"summarize","intent":"answer","input":{"text":"x"}}',
  '{"intent":"summarize","input":{"text":"x"},"input":1}',
  '{"intent":"summarize","input":{"text":"a","text":"b"}}',
  // prototype keys
  '{"__proto__":{"admin":true},"intent":"summarize","input":{"text":"x"}}',
  task('{"__proto__":{"polluted":1},"text":"x"}'),
  task('{"text":"x","nested":{"constructor":{"prototype":{"polluted":1}}}}'),
  '{"constructor":{"prototype":{"polluted":1}}}',
  task('{"text":"x","prototype":{"a":1},"constructor":1}'),
  '{"intent":"summarize","input":{"text":"x"},"metadata":{"__proto__":"x","constructor":"y"}}',
  // not JSON, or not quite
  '',
  ' ',
  'null',
  'true',
  '[]',
  '{}',
  "{'intent':'summarize'}",
  '{"intent":"summarize",}',
  '{"intent":"summarize"} trailing',
  '{"intent":NaN}',
  '{"intent":Infinity}',
  '/* c */ {}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
]

interface Sent {
  readonly status: number
  readonly contentType: string
  /** The problem's `code`, when the answer is a problem document that has one. */
  readonly code: string | undefined
  readonly body: string
  readonly request: string
}

async function post(
  body: string | Buffer,
  idempotencyKey: string | undefined,
  path = '/v1/tasks',
): Promise<Sent> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${t.key}`,
    'content-type': 'application/json',
  }
  if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey
  const response = await pool.request({ path, method: 'POST', headers, body })
  const text = await response.body.text()
  const contentType = String(response.headers['content-type'] ?? '')
  return {
    status: response.statusCode,
    contentType,
    code: contentType.startsWith('application/problem+json') ? problemCode(text) : undefined,
    body: text.slice(0, 300),
    request: (typeof body === 'string' ? body : body.toString('latin1')).slice(0, 120),
  }
}

function problemCode(text: string): string | undefined {
  const code = (JSON.parse(text) as { code?: unknown }).code
  return typeof code === 'string' && /^AION_[A-Z0-9_]+$/.test(code) ? code : undefined
}

/** Runs `jobs` with at most `concurrency` in flight. */
async function runAll<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length)
  let next = 0
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++
      results[i] = await (jobs[i] as () => Promise<T>)()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return results
}

describe('POST /v1/tasks under fuzzed bodies', () => {
  it(`answers no 5xx to >10,000 bodies, with and without Idempotency-Key (seed ${seed})`, async () => {
    const sample = <T>(arbitrary: fc.Arbitrary<T>, offset: number) =>
      fc.sample(arbitrary, { numRuns: perArbitrary, seed: seed + offset })
    const generated: (string | Buffer)[] = [
      ...sample(fc.json({ maxDepth: 6 }), 0),
      ...sample(taskShaped, 1),
      ...sample(mutatedText, 2),
      ...sample(rawBytes, 3),
    ]
    const jobs: (() => Promise<Sent>)[] = []
    generated.forEach((body, i) => {
      // Every other body carries a key; one in eight of those reuses a key of a small pool.
      const key =
        i % 2 === 0 ? undefined : i % 16 === 1 ? `fuzz-shared-${i % 5}` : `fuzz-${seed}-${i}`
      jobs.push(() => post(body, key))
    })
    hostile.forEach((body, i) => {
      jobs.push(() => post(body, undefined))
      jobs.push(() => post(body, `fuzz-hostile-${seed}-${i}`))
      // The same parser serves every route that takes a body.
      jobs.push(() => post(body, undefined, '/router/policy/rollback'))
    })
    expect(jobs.length).toBeGreaterThanOrEqual(10_000)

    const answers = await runAll(jobs)
    const failures = answers.filter((a) => a.status >= 500)
    expect(failures.slice(0, 5), `seed ${seed}: ${failures.length} answers >= 500`).toEqual([])
    const unlabelled = answers.filter((a) => a.status >= 400 && a.code === undefined)
    expect(unlabelled.slice(0, 5), `seed ${seed}: errors without a problem code`).toEqual([])
    // The fuzz reached past the parser: some bodies were accepted, some refused by the contract.
    const statuses = new Set(answers.map((a) => a.status))
    expect(statuses).toContain(202)
    expect(statuses).toContain(422)
    expect(statuses).toContain(400)

    const health = await pool.request({ path: '/healthz', method: 'GET' })
    expect(health.statusCode).toBe(200)
    await health.body.dump()
  }, 180_000)
})
