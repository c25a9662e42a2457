/**
 * Hostile WASM packages (test/fixtures/modules/wasm, WAT compiled at test time):
 * each is refused at load or contained at run time with a clear code, while a
 * well-behaved module keeps being served the whole time and the event loop is never
 * blocked (p99 delay under a generous 100 ms over the suite; the target, p99 under
 * 20 ms, is measured by `npm run bench:wasm-hostile`, see BENCHMARKS.md).
 */
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Secret } from '../../core/secret.js'
import { writeHostileWasmPackages } from '../test-packages.fixture.js'
import { createModuleExecutor, type ClosableModuleExecutor } from './wasm-module-executor.js'
import { ERRNO } from './wasm-host-api.js'
import { failureOf } from '../../../test/support/failure.js'
import { loadPackages } from '../../distribution/aip/index.js'

let root: string
let executor: ClosableModuleExecutor
let upstream: Server
let upstreamPort: number
/** Host headers of the requests that reached the test upstream. */
const upstreamHits: string[] = []
/** Requests to `/hang` (never answered) whose connection the host closed. */
let hangsClosed = 0
/**
 * Sampled every 1 ms: a sample is the interval between two timer turns, so the
 * event loop's delay plus up to the 1 ms resolution.
 */
const loopDelay = monitorEventLoopDelay({ resolution: 1 })

/** The well-behaved calls served while the suite runs. */
const serving = { stop: false, calls: 0, failures: [] as unknown[], done: Promise.resolve() }

function run(module: string, input: unknown, timeoutMs = 10_000) {
  return executor.run({ module, input, signal: new AbortController().signal, timeoutMs })
}

/** Copies package `from` to `name`, renaming it in its manifest and applying `edit`. */
async function variant(from: string, name: string, edit: (manifest: string) => string) {
  const dir = join(root, name)
  await cp(join(root, from), dir, { recursive: true })
  const manifest = await readFile(join(dir, 'aip.yaml'), 'utf8')
  await writeFile(join(dir, 'aip.yaml'), edit(manifest.replace(`name: ${from},`, `name: ${name},`)))
  return dir
}

/** One well-behaved call after another, a millisecond apart (a steady stream, not a CPU hog). */
async function keepServing(): Promise<void> {
  while (!serving.stop) {
    await delay(1)
    const text = `well-behaved call ${serving.calls}`
    try {
      const result = await run('echo', { text })
      expect(result.output).toEqual({ text })
      serving.calls++
    } catch (error) {
      serving.failures.push(error)
    }
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'aion-hostile-wasm-'))
  await writeHostileWasmPackages(root)
  await variant('sandbox_probe', 'sandbox_probe_nofs', (m) =>
    m.replace('filesystem: read-only', 'filesystem: none'),
  )
  const escape = await variant('sandbox_probe', 'symlink_escape', (m) => m)
  await symlink('/etc/passwd', join(escape, 'passwd_link'))
  await symlink('greeting.txt', join(root, 'sandbox_probe', 'data', 'alias.txt'))
  await variant('echo', 'secret_required', (m) =>
    m.replace('secrets: []', 'secrets: [REQUIRED_TOKEN]'),
  )
  await variant('net_probe', 'net_denied', (m) => m.replace('{ allow: [127.0.0.1] }', 'deny'))
  upstream = createServer((request, response) => {
    upstreamHits.push(request.headers.host ?? '')
    if (request.url === '/hang') {
      request.on('close', () => hangsClosed++)
      return
    }
    if (request.url === '/redirect') {
      response.writeHead(302, { location: 'https://example.com/' }).end()
    } else if (request.url?.startsWith('/bytes/')) {
      response.end('x'.repeat(Number(request.url.slice('/bytes/'.length))))
    } else {
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ hello: 'module', path: request.url }))
    }
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  upstreamPort = (upstream.address() as AddressInfo).port
  executor = await createModuleExecutor({
    packages: await loadPackages(root),
    workers: 2,
    httpResponseLimitBytes: 256 * 1024,
    secrets: new Map([
      ['API_TOKEN', new Secret('s3cret-token')],
      ['UNDECLARED_TOKEN', new Secret('never-handed-out')],
    ]),
  })
  loopDelay.enable()
  serving.done = keepServing()
}, 120_000)

afterAll(async () => {
  serving.stop = true
  await serving.done
  loopDelay.disable()
  await executor?.close()
  if (upstream) await new Promise((resolve) => upstream.close(resolve))
  if (root) await rm(root, { recursive: true, force: true })
})

describe('refused at load', () => {
  function quarantined(name: string) {
    const entry = executor.quarantined().find((q) => q.error.fields.package === name)
    expect(executor.modules().has(name)).toBe(false)
    expect(entry?.error.code).toBe('AION_MODULE_PACKAGE_INVALID')
    return entry?.error.fields.violations ?? []
  }

  it('a module importing a function and a memory the host does not provide', () => {
    const violations = quarantined('foreign_import')
    expect(violations.map((v) => v.keyword)).toEqual(['imports', 'imports'])
    expect(violations.map((v) => v.message).join('\n')).toMatch(
      /function env\.system.*\n.*memory env\.memory/,
    )
  })

  it('a module whose memory declares no maximum', () => {
    const violations = quarantined('unbounded_memory')
    expect(violations.map((v) => v.keyword)).toEqual(['maximumMemory'])
  })

  it('a package holding a symlink to a host file', () => {
    const violations = quarantined('symlink_escape')
    expect(violations).toContainEqual(
      expect.objectContaining({ path: 'passwd_link', keyword: 'link' }),
    )
  })

  it('serves the rest', () => {
    expect([...executor.modules().keys()].sort()).toEqual(
      expect.arrayContaining(['echo', 'infinite_loop', 'memory_hog', 'net_probe', 'sandbox_probe']),
    )
  })
})

describe('contained at run time', () => {
  it('an infinite loop is killed at the manifest timeout', async () => {
    const startedAt = performance.now()
    const error = await failureOf(run('infinite_loop', {}))
    expect(error.code).toBe('AION_MODULE_TIMEOUT')
    expect(error.fields).toEqual({ module: 'infinite_loop', timeoutMs: 300 })
    expect(performance.now() - startedAt).toBeLessThan(5_000)
  })

  it('an infinite loop handed to a worker still polling after its last call is killed the same way', async () => {
    // Calls back to back keep the worker polling after each; the loop comes while it polls.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) {
        expect((await run('echo', { text: `before ${i}` })).output).toEqual({ text: `before ${i}` })
      }
      const error = await failureOf(run('infinite_loop', {}))
      expect(error.code).toBe('AION_MODULE_TIMEOUT')
    }
    expect((await run('echo', { text: 'after' })).output).toEqual({ text: 'after' })
  })

  it('memory growth stops at the declared maximum and the call fails for it', async () => {
    const error = await failureOf(run('memory_hog', {}))
    expect(error.code).toBe('AION_MODULE_MEMORY_EXCEEDED')
    expect(error.fields).toEqual({ module: 'memory_hog', memoryBytes: 16 * 65_536 })
  })

  it('deep recursion ends in a crash, not in a dead worker', async () => {
    const error = await failureOf(run('deep_recursion', {}))
    expect(error.code).toBe('AION_MODULE_CRASHED')
    expect(String(error.fields.detail)).toMatch(/call stack size exceeded/i)
  })

  it('100 MiB to stdout is stopped at the cap, long before the module is done', async () => {
    const startedAt = performance.now()
    const error = await failureOf(run('stdout_flood', {}))
    expect(error.code).toBe('AION_MODULE_OUTPUT_TOO_LARGE')
    expect(error.fields).toEqual({ module: 'stdout_flood', limitBytes: 1024 * 1024 })
    // The manifest allows 10 s; stopping at the cap takes a few milliseconds.
    expect(performance.now() - startedAt).toBeLessThan(5_000)
  })

  it('output that is not JSON', async () => {
    const error = await failureOf(run('invalid_json', {}))
    expect(error.code).toBe('AION_MODULE_OUTPUT_INVALID')
    expect(error.fields.violations).toEqual([expect.objectContaining({ keyword: 'json' })])
  })

  it('output its schema does not allow', async () => {
    const error = await failureOf(run('schema_violation', {}))
    expect(error.code).toBe('AION_MODULE_OUTPUT_INVALID')
    const keywords = (error.fields.violations as { keyword: string }[]).map((v) => v.keyword)
    expect(keywords.sort()).toEqual(['additionalProperties', 'required'])
  })
})

describe('the filesystem, sockets, arguments and environment', () => {
  it('keeps the module inside its read-only package files', async () => {
    const { output } = await run('sandbox_probe', {})
    expect(output).toEqual({
      parent: ERRNO.NOTCAPABLE,
      absolute: ERRNO.NOTCAPABLE,
      inner_escape: ERRNO.NOTCAPABLE,
      // Links of the package folder are never mounted, so never followed.
      link: ERRNO.NOENT,
      make_link: ERRNO.NOTSUP,
      open_for_write: ERRNO.ROFS,
      create: ERRNO.ROFS,
      truncate: ERRNO.ROFS,
      unlink: ERRNO.ROFS,
      mkdir: ERRNO.ROFS,
      rename: ERRNO.ROFS,
      sock_accept: ERRNO.NOTSUP,
      sock_send: ERRNO.NOTSUP,
      clock: ERRNO.SUCCESS,
      clock_set: 1,
      random: ERRNO.SUCCESS,
      argc: 1,
      envc: 1,
      env: 'API_TOKEN=s3cret-token;',
      open_for_read: ERRNO.SUCCESS,
      write_read_only_fd: ERRNO.BADF,
      greeting: 'hello from the package',
    })
  })

  it('gives a module with `filesystem: none` no directory at all', async () => {
    const { output } = await run('sandbox_probe_nofs', {})
    expect(output).toMatchObject({
      parent: ERRNO.BADF,
      absolute: ERRNO.BADF,
      link: ERRNO.BADF,
      create: ERRNO.BADF,
      open_for_read: ERRNO.BADF,
    })
    expect(output).not.toHaveProperty('greeting')
  })

  it('fails a call whose required secret is not configured, before it runs', async () => {
    const error = await failureOf(run('secret_required', { text: 'x' }))
    expect(error.code).toBe('AION_MODULE_SECRET_MISSING')
    expect(error.fields).toEqual({ module: 'secret_required', secret: 'REQUIRED_TOKEN' })
  })
})

describe('the network host call', () => {
  it('reaches a host on the allow-list', async () => {
    const url = `http://127.0.0.1:${upstreamPort}/allowed`
    const { output } = await run('net_probe', { url, headers: { accept: 'application/json' } })
    const { errno, response } = output as { errno: number; response: Record<string, unknown> }
    expect(errno).toBe(ERRNO.SUCCESS)
    expect(response.status).toBe(200)
    expect(JSON.parse(response.body as string)).toEqual({ hello: 'module', path: '/allowed' })
    expect(upstreamHits).toContain(`127.0.0.1:${upstreamPort}`)
  })

  it('refuses a host off the allow-list with AION_EGRESS_DENIED; nothing is sent', async () => {
    const before = upstreamHits.length
    // Same server, another name: the allow-list names hosts, not addresses.
    const viaName = await failureOf(run('net_probe', { url: `http://localhost:${upstreamPort}/` }))
    expect(viaName.code).toBe('AION_EGRESS_DENIED')
    expect(viaName.fields).toEqual({ origin: `http://localhost:${upstreamPort}` })
    const elsewhere = await failureOf(run('net_probe', { url: 'https://example.com/' }))
    expect(elsewhere.code).toBe('AION_EGRESS_DENIED')
    expect(upstreamHits.length).toBe(before)
  })

  it('denies everything when the manifest says `network: deny`', async () => {
    const before = upstreamHits.length
    const error = await failureOf(run('net_denied', { url: `http://127.0.0.1:${upstreamPort}/` }))
    expect(error.code).toBe('AION_EGRESS_DENIED')
    expect(upstreamHits.length).toBe(before)
  })

  it('does not follow redirects: the module sees the 3xx', async () => {
    const { output } = await run('net_probe', { url: `http://127.0.0.1:${upstreamPort}/redirect` })
    const { response } = output as { response: { status: number; headers: Record<string, string> } }
    expect(response.status).toBe(302)
    expect(response.headers.location).toBe('https://example.com/')
  })

  it('answers NOBUFS when the response outgrows the module buffer, FBIG past the host limit', async () => {
    // net_probe's buffer holds 128 KiB; the executor reads at most 256 KiB.
    const url = (bytes: number) => `http://127.0.0.1:${upstreamPort}/bytes/${bytes}`
    expect((await run('net_probe', { url: url(150_000) })).output).toEqual({ errno: ERRNO.NOBUFS })
    expect((await run('net_probe', { url: url(300_000) })).output).toEqual({ errno: ERRNO.FBIG })
  })

  it('kills a call blocked on a host call at its deadline and aborts the fetch', async () => {
    const url = `http://127.0.0.1:${upstreamPort}/hang`
    const error = await failureOf(run('net_probe', { url }, 300))
    expect(error.code).toBe('AION_MODULE_TIMEOUT')
    await expect.poll(() => hangsClosed, { timeout: 5_000 }).toBe(1)
  })

  it('answers a malformed request with INVAL', async () => {
    const { output } = await run('net_probe', { address: 'http://127.0.0.1/' })
    expect(output).toEqual({ errno: ERRNO.INVAL })
  })
})

describe('the platform keeps serving', () => {
  it('served every well-behaved call while the hostile ones ran, with a responsive event loop', async () => {
    serving.stop = true
    await serving.done
    loopDelay.disable()
    expect(serving.failures).toEqual([])
    expect(serving.calls).toBeGreaterThan(10)
    const p99Ms = loopDelay.percentile(99) / 1e6
    const summary = `event-loop delay p99 ${p99Ms.toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`
    console.info(`${summary}; ${serving.calls} well-behaved calls served`)
    expect(p99Ms, summary).toBeLessThan(100)
  })
})
