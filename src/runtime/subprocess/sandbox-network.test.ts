/**
 * The subprocess sandbox's network and system calls, on real bubblewrap: a module
 * whose manifest allows a host reaches it only through the platform's egress
 * proxy (plain HTTP and CONNECT), is refused any other host, and reaches nothing
 * without the proxy; a system call of the seccomp profile fails with EPERM
 * inside the sandbox while ordinary ones work.
 */
import { execFile } from 'node:child_process'
import { chmod, cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeWithEngine, type EngineProbe } from '../../../test/support/engines.js'
import { AddressGuard } from '../../core/egress/index.js'
import { probeSandbox, type SandboxStatus } from './sandbox-probe.js'
import { DENIED_SYSCALLS } from './seccomp-filter.js'
import { createSubprocessExecutor, type SubprocessModuleExecutor } from './subprocess-executor.js'
import { loadPackages } from '../../distribution/aip/index.js'

const run = promisify(execFile)
const EPERM = 1

const status = await probeSandbox()
const probe: EngineProbe<SandboxStatus> = status.available
  ? { ok: true, value: status }
  : { ok: false, reason: status.reason }

describeWithEngine('bubblewrap', probe, () => {
  let root: string
  let executor: SubprocessModuleExecutor
  let upstream: Server
  let port: number
  /** Requests the upstream received, as `host` header and path. */
  const hits: string[] = []

  const call = (module: string, input: unknown) =>
    executor.run({ module, input, signal: new AbortController().signal, timeoutMs: 5_000 })

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'aion-sandbox-net-'))
    await chmod(root, 0o755)
    await cp(resolve('test/fixtures/modules/subprocess/net_client'), join(root, 'net_client'), {
      recursive: true,
    })
    const probeDir = join(root, 'syscall_probe')
    await cp(resolve('test/fixtures/sandbox/syscall_probe'), probeDir, { recursive: true })
    await run('gcc', ['-O2', '-o', join(probeDir, 'probe'), join(probeDir, 'probe.c')])
    upstream = createServer((req, res) => {
      hits.push(`${req.headers.host} ${req.url}`)
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ hello: 'module' }))
    })
    await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done))
    port = (upstream.address() as AddressInfo).port
    executor = await createSubprocessExecutor({
      packages: await loadPackages(root, { runtimes: ['subprocess'] }),
    })
  }, 60_000)

  afterAll(async () => {
    await executor?.close()
    if (upstream) await new Promise((done) => upstream.close(done))
    if (root) await rm(root, { recursive: true, force: true })
  })

  describe('network', () => {
    it('reaches an allowed host through the proxy, as plain HTTP and through CONNECT', async () => {
      const forward = await call('net_client', {
        mode: 'forward',
        url: `http://127.0.0.1:${port}/forwarded`,
      })
      expect(forward.output).toEqual({ status: 200, body: '{"hello":"module"}' })
      const tunnel = await call('net_client', { mode: 'connect', host: '127.0.0.1', port })
      expect(tunnel.output).toEqual({ status: 200, tunnel: 'HTTP/1.1 200 OK' })
      expect(hits).toEqual([`127.0.0.1:${port} /forwarded`, `127.0.0.1:${port} /`])
    })

    it('is refused a host off its allow-list, with nothing sent', async () => {
      const before = hits.length
      // The same server by another name: the allow-list names hosts.
      const forward = await call('net_client', {
        mode: 'forward',
        url: `http://localhost:${port}/`,
      })
      expect(forward.output).toMatchObject({ status: 403 })
      const body = JSON.parse((forward.output as { body: string }).body) as { code: string }
      expect(body.code).toBe('AION_EGRESS_DENIED')
      const tunnel = await call('net_client', { mode: 'connect', host: 'localhost', port })
      expect(tunnel.output).toEqual({ status: 403 })
      expect(hits.length).toBe(before)
    })

    it('reaches nothing without the proxy: its loopback is its own, and there is no other interface', async () => {
      const before = hits.length
      const loopback = await call('net_client', { mode: 'direct', host: '127.0.0.1', port })
      expect(loopback.output).toEqual({ error: 'ECONNREFUSED' })
      const outside = await call('net_client', { mode: 'direct', host: '1.1.1.1', port: 80 })
      expect(outside.output).toEqual({ error: 'ENETUNREACH' })
      expect(hits.length).toBe(before)
    })

    it("judges the proxy's addresses with the platform's guard: loopback refused when the settings say so", async () => {
      const guarded = await createSubprocessExecutor({
        packages: await loadPackages(root, { runtimes: ['subprocess'] }),
        egressResolver: new AddressGuard({ allowLoopback: false }),
      })
      try {
        const before = hits.length
        const { output } = await guarded.run({
          module: 'net_client',
          input: { mode: 'forward', url: `http://127.0.0.1:${port}/refused` },
          signal: new AbortController().signal,
          timeoutMs: 5_000,
        })
        expect(output).toMatchObject({ status: 403 })
        const body = JSON.parse((output as { body: string }).body) as { code: string }
        expect(body.code).toBe('AION_EGRESS_ADDRESS_REFUSED')
        expect(hits.length).toBe(before)
      } finally {
        await guarded.close()
      }
    })

    it('leaves no proxy socket directory behind', async () => {
      const left = (await readdir(tmpdir())).filter((name) => name.startsWith('aion-egress-'))
      expect(left).toEqual([])
    })
  })

  describe('seccomp', () => {
    it('denies the profile system calls with EPERM; ordinary ones work', async () => {
      const { output } = await call('syscall_probe', {})
      expect(output).toEqual({
        ptrace: EPERM,
        keyctl: EPERM,
        io_uring_setup: EPERM,
        unshare: EPERM,
        getppid: 0,
      })
    })
  })
})

describe('the seccomp profile', () => {
  it('numbers every system call as libseccomp does, on x86-64 and aarch64', async (context) => {
    const dir = await mkdtemp(join(tmpdir(), 'aion-seccomp-names-'))
    try {
      const source = join(dir, 'resolve.c')
      await writeFile(
        source,
        [
          '#include <seccomp.h>',
          '#include <stdio.h>',
          'int main(int argc, char **argv) {',
          '  for (int i = 1; i < argc; i++)',
          '    printf("%s %d %d\\n", argv[i],',
          '      seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, argv[i]),',
          '      seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, argv[i]));',
          '}',
        ].join('\n'),
      )
      const binary = join(dir, 'resolve')
      const built = await run('gcc', ['-o', binary, source, '-lseccomp']).catch(() => undefined)
      if (!built) {
        if (process.env.CI) throw new Error('gcc and libseccomp-dev are required in CI')
        context.skip('gcc or libseccomp-dev is not installed')
      }
      const { stdout } = await run(binary, Object.keys(DENIED_SYSCALLS))
      for (const line of stdout.trim().split('\n')) {
        const [name = '', x64, arm64] = line.split(' ')
        const known = (n: string | undefined) => (Number(n) < 0 ? null : Number(n))
        expect([name, known(x64), known(arm64)]).toEqual([name, ...(DENIED_SYSCALLS[name] ?? [])])
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
