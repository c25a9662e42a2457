/**
 * `aionctl` as a new user meets it when something is wrong: each user error is
 * one line (what went wrong, what to do) with its AION_* code, a stack trace
 * only with `--debug`, JSON with `--json`; and `submit --stream` shows the
 * answer once. Every case runs the package bin in a child process.
 */
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aionctl, aionctlAsync, cleanUpProcesses, tempDir } from './support/server-process.js'
import { startTestPlatform, type TestPlatform } from './support/platform.js'

afterAll(cleanUpProcesses)

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '')
/** A V8 stack frame line. */
const FRAME = /^\s+at /m

function file(name: string, content: string): string {
  const path = join(tempDir('aion-cli-'), name)
  writeFileSync(path, content)
  return path
}

describe('aionctl user errors', () => {
  it('a platform that is not running: one line with the URL and what to do; a stack only with --debug', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const args = ['submit', '--intent', 'summarize', '--param', 'text=Hi.', '--url', url]
    const plain = aionctl(args)
    expect(plain.code).toBe(1)
    expect(lines(plain.stderr)).toEqual([
      `aionctl: AION_CLI_PLATFORM_UNREACHABLE: no platform answers at ${url} (ECONNREFUSED): start it with \`npm start\`, or point --url or AION_URL at it`,
    ])
    expect(plain.stdout).toBe('')

    const debug = aionctl([...args, '--debug'])
    expect(debug.code).toBe(1)
    expect(lines(debug.stderr)[0]).toBe(lines(plain.stderr)[0])
    expect(debug.stderr).toMatch(FRAME)
    expect(debug.stderr).toContain('ECONNREFUSED')
  })

  it('a --file that does not exist: one line naming it', () => {
    const missing = join(tempDir('aion-cli-'), 'missing.txt')
    const run = aionctl(['submit', '--intent', 'summarize', '--file', missing])
    expect(run.code).toBe(1)
    expect(lines(run.stderr)).toEqual([
      `aionctl: AION_CLI_INPUT_INVALID: input ${missing}: --file cannot be read: no such file (check the path)`,
    ])
    expect(
      aionctl(['submit', '--intent', 'summarize', '--file', missing, '--debug']).stderr,
    ).toMatch(FRAME)
  })

  it('an --input file that is not JSON: one line naming it and what it must hold', () => {
    const bad = file('input.json', '{ "text": ')
    const run = aionctl(['submit', '--intent', 'summarize', '--input', bad])
    expect(run.code).toBe(1)
    const [line, ...rest] = lines(run.stderr)
    expect(rest).toEqual([])
    expect(line).toMatch(
      new RegExp(
        `^aionctl: AION_CLI_INPUT_INVALID: input ${bad}: --input must hold a JSON object: `,
      ),
    )
    expect(run.stderr).not.toMatch(FRAME)
    expect(aionctl(['submit', '--intent', 'summarize', '--input', bad, '--debug']).stderr).toMatch(
      FRAME,
    )
  })
})

describe('aionctl modules run', () => {
  it('--json prints a failure as JSON on stdout, with its code', () => {
    const input = file('input.json', JSON.stringify({ nope: 1 }))
    const run = aionctl(['modules', 'run', 'modules/summarize_text', '--input', input, '--json'])
    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout) as { error: { code: string; message: string } }
    expect(report.error.code).toBe('AION_MODULE_INPUT_INVALID')
    expect(report.error.message).toContain('summarize_text')
  })

  it('warns about an unavailable sandbox only when a subprocess module runs', () => {
    // A cgroup root that does not exist makes the sandbox unavailable on any host.
    const env = { AION_SANDBOX_CGROUP_ROOT: '/aion-no-such-cgroup', AION_MODULES_DIR: 'modules' }
    const text = file('input.json', JSON.stringify({ text: 'One sentence. Another one.' }))
    const wasm = aionctl(['modules', 'run', 'summarize_text', '--input', text], env)
    expect(wasm.code).toBe(0)
    expect(wasm.stderr).not.toContain('warning')

    const image = file('input.json', JSON.stringify({ image_base64: 'aGVsbG8=' }))
    const subprocess = aionctl(['modules', 'run', 'ocr_tesseract', '--input', image], env)
    expect(subprocess.code).toBe(1)
    expect(subprocess.stderr).toContain('aionctl: warning: subprocess sandbox unavailable')
  })
})

/** Runs the bin without blocking this process (the platform under test runs in it). */

describe('aionctl submit --stream', () => {
  let t: TestPlatform
  beforeAll(async () => {
    t = await startTestPlatform({ env: { AION_RETRY_MAX: '0' } })
  })
  afterAll(() => t.close())

  it('prints the streamed answer once', async () => {
    const answer = 'First sentence of the answer. Second sentence of it.'
    t.upstream.reset()
    t.upstream.script({ content: answer, chunkDelayMs: 5 })
    const run = await aionctlAsync(
      [
        'submit',
        '--intent',
        'answer',
        '--route',
        'api',
        '--param',
        'question=Why?',
        '--stream',
        '--url',
        t.url,
        '--key',
        t.key,
      ],
      {},
    )
    expect(run.stderr).toMatch(/ succeeded via api /)
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(`${answer}\n`)
  })
})
