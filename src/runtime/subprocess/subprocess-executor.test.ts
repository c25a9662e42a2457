/**
 * The subprocess executor on the real sandbox (bubblewrap, cgroups, prlimit):
 * a well-behaved module runs as an unprivileged user with only its declared
 * secrets, and each hostile package of test/fixtures/modules/subprocess is
 * contained with a clear code while a well-behaved call beside it succeeds and
 * the event loop stays responsive (p99 delay under 20 ms over the suite). What
 * every executor must do alike (answers, logs, bad output, exits, timeouts,
 * cancels, memory, crashes, stdout caps) is in subprocess-executor-cases.test.ts.
 */
import { copyFile, chmod, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join, resolve } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeWithEngine, type EngineProbe } from '../../../test/support/engines.js'
import { Secret } from '../../core/secret.js'
import { GpuAllocator } from '../gpu/gpu-allocator.js'
import { parseNvidiaSmi } from '../gpu/nvidia-smi.js'
import { probeSandbox, type SandboxStatus } from './sandbox-probe.js'
import {
  createSubprocessExecutor,
  type SandboxLogger,
  type SubprocessModuleExecutor,
} from './subprocess-executor.js'
import { failureOf } from '../../../test/support/failure.js'
import { loadPackages } from '../../distribution/aip/index.js'

const FIXTURES = resolve('test/fixtures/modules/subprocess')
const CANARY = 'parent-env-canary-7f3a'

function recordingLogger() {
  const lines: { level: 'info' | 'warn'; fields: object; message: string }[] = []
  const logger: SandboxLogger = {
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
  }
  return { logger, lines }
}

function call(
  executor: SubprocessModuleExecutor,
  module: string,
  input: unknown = {},
  timeoutMs = 10_000,
) {
  return executor.run({ module, input, signal: new AbortController().signal, timeoutMs })
}

/** Host processes whose command line contains `marker`. */
async function processesWith(marker: string): Promise<number> {
  let found = 0
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.split('\0').join(' ').includes(marker)) found += 1
  }
  return found
}

const status = await probeSandbox()
const probe: EngineProbe<SandboxStatus> = status.available
  ? { ok: true, value: status }
  : { ok: false, reason: status.reason }

describeWithEngine('bubblewrap', probe, (sandbox) => {
  // The histogram's samples include the sampling interval itself; the delay is what lies beyond it.
  const resolutionMs = 5
  const delay = monitorEventLoopDelay({ resolution: resolutionMs })
  const { logger, lines } = recordingLogger()
  let executor: SubprocessModuleExecutor
  /** A well-behaved call run beside each hostile one. */
  const neighbour = async () => {
    const result = await call(executor, 'echo', { neighbour: true })
    expect(result.output).toMatchObject({ echo: { neighbour: true } })
  }

  beforeAll(async () => {
    process.env.HOSTILE_CANARY = CANARY
    executor = await createSubprocessExecutor({
      packages: await loadPackages(FIXTURES, { runtimes: ['subprocess'] }),
      logger,
      secrets: new Map([
        ['DEMO_TOKEN', new Secret('token-for-read-env')],
        ['DEMO_OPTIONAL', new Secret('optional-for-read-env')],
        ['UNDECLARED_SECRET', new Secret('never-given-to-anyone')],
      ]),
    })
    delay.enable()
  })

  afterAll(async () => {
    delay.disable()
    delete process.env.HOSTILE_CANARY
    await executor.close()
  })

  it('loads every fixture package and reports the cgroup version it uses', () => {
    expect(executor.quarantined()).toEqual([])
    expect([...executor.modules().keys()]).toContain('fork_bomb')
    const found = executor.sandbox()
    if (!found.available) throw new Error(`sandbox unavailable: ${found.reason}`)
    expect([1, 2]).toContain(found.cgroup.version)
    const ready = lines.find((line) => line.message.startsWith('subprocess sandbox ready'))
    expect(ready?.fields).toMatchObject({ cgroupVersion: found.cgroup.version })
  })

  it('runs a module as an unprivileged user, never root', async () => {
    const { output } = await call(executor, 'echo', { hello: 'world' })
    const { uid, gid, echo } = output as { uid: number; gid: number; echo: unknown }
    expect(echo).toEqual({ hello: 'world' })
    expect(uid).not.toBe(0)
    expect(gid).not.toBe(0)
    if (process.getuid?.() === 0) expect({ uid, gid }).toEqual({ uid: 65534, gid: 65534 })
  })

  describe('hostile packages', () => {
    it('fork bomb: stopped by the pids limit', async () => {
      const [error] = await Promise.all([
        failureOf(call(executor, 'fork_bomb', {}, 1500)),
        neighbour(),
      ])
      expect(error.code).toBe('AION_MODULE_SANDBOX_LIMIT_EXCEEDED')
      expect(error.fields).toMatchObject({ resource: 'pids' })
    })

    it("reading the parent's environment: sees only its own, with declared secrets alone", async () => {
      const [result] = await Promise.all([call(executor, 'read_env'), neighbour()])
      const encoded = (result.output as { found_base64: string }).found_base64
      const found = Buffer.from(encoded, 'base64').toString('utf8')
      expect(found).toContain('AIP_MODULE=read_env')
      expect(found).toContain('DEMO_TOKEN=token-for-read-env')
      expect(found).toContain('DEMO_OPTIONAL=optional-for-read-env')
      expect(found).not.toContain(CANARY)
      expect(found).not.toContain('never-given-to-anyone')
      expect(found).not.toContain('DEMO_ABSENT')
      expect(found).not.toContain(process.env.PATH ?? 'no PATH')
    })

    it('opening a socket: no network namespace, nothing reaches the host', async () => {
      let connections = 0
      const server: Server = createServer((socket) => {
        connections += 1
        socket.destroy()
      })
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
      const { port } = server.address() as { port: number }
      try {
        const [error] = await Promise.all([
          failureOf(call(executor, 'open_socket', { port })),
          neighbour(),
        ])
        expect(error.code).toBe('AION_MODULE_FAILED')
        expect(['ECONNREFUSED', 'ENETUNREACH']).toContain(error.fields.moduleCode)
        expect(connections).toBe(0)
      } finally {
        server.close()
      }
    })

    it('writing outside /tmp: every target is read-only', async () => {
      const [error] = await Promise.all([failureOf(call(executor, 'write_outside')), neighbour()])
      expect(error.code).toBe('AION_MODULE_FAILED')
      expect(error.fields.moduleCode).toBe('EROFS')
      await expect(stat(join(FIXTURES, 'write_outside', 'pwned'))).rejects.toThrow()
      await expect(stat('/etc/aion-pwned')).rejects.toThrow()
    })

    it('sleeping past the timeout: the whole process tree is killed', async () => {
      const started = performance.now()
      const [error] = await Promise.all([
        failureOf(call(executor, 'sleep_past_timeout')),
        neighbour(),
      ])
      expect(error.code).toBe('AION_MODULE_TIMEOUT')
      expect(performance.now() - started).toBeLessThan(3000)
      expect(await processesWith('sleep 61.5')).toBe(0)
      expect(await processesWith('sleep 62.5')).toBe(0)
    })

    it('setuid binary: a setuid-root program gains nothing in the sandbox', async (context) => {
      if (process.getuid?.() !== 0) context.skip('needs root to make a setuid-root binary')
      // Outside /tmp (private in the sandbox) and outside any package (refused
      // there): the checkout's scratch folder, or /var/tmp for a checkout in /tmp.
      const scratch = resolve('.scratch').startsWith('/tmp/') ? '/var/tmp' : resolve('.scratch')
      await mkdir(scratch, { recursive: true })
      const dir = await mkdtemp(join(scratch, 'setuid-'))
      try {
        await chmod(dir, 0o755)
        const binary = join(dir, 'id')
        await copyFile('/usr/bin/id', binary)
        await chmod(binary, 0o4755)
        const [result] = await Promise.all([
          call(executor, 'run_setuid', { path: binary }),
          neighbour(),
        ])
        const ids = (result.output as { ids: string }).ids
        expect(ids).toMatch(/uid=65534/)
        expect(ids).not.toMatch(/euid=0/)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    })

    it('memory growth: stopped by the memory limit', async () => {
      const [error] = await Promise.all([failureOf(call(executor, 'memory_hog')), neighbour()])
      expect(error.code).toBe('AION_MODULE_MEMORY_EXCEEDED')
      expect(error.fields).toMatchObject({ module: 'memory_hog', memoryBytes: 32 * 1024 * 1024 })
    })

    it('100 MB to stdout: cut off at the cap', async () => {
      const [error] = await Promise.all([failureOf(call(executor, 'big_stdout')), neighbour()])
      expect(error.code).toBe('AION_MODULE_OUTPUT_TOO_LARGE')
    })

    it('a file past the file-size rlimit: stopped', async () => {
      const [error] = await Promise.all([failureOf(call(executor, 'big_file')), neighbour()])
      expect(error.code).toBe('AION_MODULE_SANDBOX_LIMIT_EXCEEDED')
      expect(error.fields).toMatchObject({ resource: 'file_size' })
    })

    it('cancelled mid-run: killed at once', async () => {
      const controller = new AbortController()
      const started = performance.now()
      const running = executor.run({
        module: 'sleep_past_timeout',
        input: {},
        signal: controller.signal,
        timeoutMs: 10_000,
      })
      setTimeout(() => controller.abort(), 100)
      const error = await failureOf(running)
      expect(error.code).toBe('AION_MODULE_CANCELLED')
      expect(performance.now() - started).toBeLessThan(400)
    })

    it('leaves no per-call cgroup behind', async () => {
      if (!sandbox.available) return
      const parents =
        sandbox.cgroup.version === 2
          ? [sandbox.cgroup.parent]
          : [sandbox.cgroup.memoryParent, sandbox.cgroup.pidsParent]
      for (const parent of parents) {
        const left = (await readdir(parent)).filter((name) =>
          name.startsWith(`aion-call-${process.pid}-`),
        )
        expect(left).toEqual([])
      }
    })

    it('kept the event loop responsive throughout (p99 delay under 20 ms)', () => {
      const p99Ms = delay.percentile(99) / 1e6 - resolutionMs
      expect(delay.count).toBeGreaterThan(0)
      expect(p99Ms).toBeLessThan(20)
    })
  })

  it('gives a GPU module only its leased device, and refuses it when none is free', async () => {
    const devices = parseNvidiaSmi(
      await readFile(resolve('test/fixtures/gpu/nvidia-smi-h100x2.csv'), 'utf8'),
    )
    const gpus = await GpuAllocator.create({ detect: async () => ({ devices, notes: [] }) })
    const withGpus = await createSubprocessExecutor({
      packages: await loadPackages(FIXTURES, { runtimes: ['subprocess'] }),
      gpus,
    })
    try {
      expect(withGpus.placement('gpu_env')).toEqual({ ok: true })
      expect(withGpus.placement('echo')).toEqual({ ok: true })
      expect(executor.placement('gpu_env')).toMatchObject({ ok: false })
      const { output } = await call(withGpus, 'gpu_env')
      // Device 0 has the most free memory; this host has no /dev/nvidia* to bind.
      expect(output).toEqual({ cuda: devices[0]?.id, nodes: '' })
      const held = await gpus.acquire('other', { required: true, vendor: 'nvidia', count: 2 })
      // The router asks first: no candidate while every device is held.
      expect(withGpus.placement('gpu_env')).toMatchObject({ ok: false })
      const error = await failureOf(call(withGpus, 'gpu_env'))
      expect(error.code).toBe('AION_MODULE_GPU_UNAVAILABLE')
      held.release()
      const error2 = await failureOf(call(executor, 'gpu_env'))
      expect(error2.code).toBe('AION_MODULE_GPU_UNAVAILABLE')
    } finally {
      await withGpus.close()
    }
  })

  it('refuses a module whose required secret is not configured', async () => {
    const bare = await createSubprocessExecutor({
      packages: await loadPackages(FIXTURES, { runtimes: ['subprocess'] }),
    })
    try {
      const error = await failureOf(call(bare, 'read_env'))
      expect(error.code).toBe('AION_MODULE_SECRET_MISSING')
      expect(error.fields).toMatchObject({ secret: 'DEMO_TOKEN' })
    } finally {
      await bare.close()
    }
  })

  it('refuses subprocess modules when per-call cgroups cannot be made', async () => {
    const broken = await createSubprocessExecutor({
      packages: await loadPackages(FIXTURES, { runtimes: ['subprocess'] }),
      cgroupRoot: '/aion-no-such-cgroup/deeper',
    })
    try {
      expect(broken.sandbox()).toMatchObject({ available: false })
      const error = await failureOf(call(broken, 'echo', {}))
      expect(error.code).toBe('AION_MODULE_SANDBOX_UNAVAILABLE')
    } finally {
      await broken.close()
    }
  })
})

describe('sandbox probe failure', () => {
  let emptyDir: string
  beforeAll(async () => {
    await mkdir(resolve('.scratch'), { recursive: true })
    emptyDir = await mkdtemp(join(resolve('.scratch'), 'no-tools-'))
  })
  afterAll(() => rm(emptyDir, { recursive: true, force: true }))

  it('refuses every subprocess call with AION_MODULE_SANDBOX_UNAVAILABLE and says why', async () => {
    const { logger, lines } = recordingLogger()
    const executor = await createSubprocessExecutor({
      packages: await loadPackages(FIXTURES, { runtimes: ['subprocess'] }),
      searchPath: [emptyDir],
      logger,
    })
    try {
      const sandbox = executor.sandbox()
      expect(sandbox.available).toBe(false)
      expect(!sandbox.available && sandbox.reason).toMatch(/bwrap/)
      expect(lines.some((l) => l.level === 'warn' && /refused/.test(l.message))).toBe(true)
      const error = await failureOf(call(executor, 'echo', {}))
      expect(error.code).toBe('AION_MODULE_SANDBOX_UNAVAILABLE')
    } finally {
      await executor.close()
    }
  })

  it('with the development override, runs unsandboxed — never as root — and warns at every call', async () => {
    const { logger, lines } = recordingLogger()
    const executor = await createSubprocessExecutor({
      packages: await loadPackages(FIXTURES, { runtimes: ['subprocess'] }),
      searchPath: [emptyDir],
      allowUnsandboxed: true,
      logger,
    })
    try {
      for (let i = 0; i < 2; i++) {
        const { output } = await call(executor, 'echo', { i })
        expect((output as { uid: number }).uid).not.toBe(0)
      }
      const warnings = lines.filter(
        (l) => l.level === 'warn' && /WITHOUT the sandbox/.test(l.message),
      )
      // One at start, one per call.
      expect(warnings).toHaveLength(3)
    } finally {
      await executor.close()
    }
  })
})
