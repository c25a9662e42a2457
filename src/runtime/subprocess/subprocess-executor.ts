/**
 * The subprocess executor behind the ModuleExecutor port, for `runtime.type:
 * subprocess` packages. Each call: input validated against the input schema;
 * GPUs leased per the manifest; a fresh cgroup with the manifest's memory and
 * the pids limit; the entrypoint run inside bubblewrap as an unprivileged user
 * with only the declared secrets in its environment (see sandbox-command.ts);
 * JSON in on stdin and out on stdout; the output validated against the output
 * schema. The sandbox has no network of its own: a module whose manifest allows
 * hosts reaches them only through a per-call egress proxy of the platform
 * (egress-proxy.ts) that checks each origin against the manifest and each
 * address against the resolver; a seccomp filter (seccomp-filter.ts) denies the
 * system calls a module never needs. A failed sandbox probe refuses every call with
 * AION_MODULE_SANDBOX_UNAVAILABLE, unless the development override is on, in
 * which case every call runs unsandboxed and says so in a warning.
 */
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { toViolations } from '../../core/contracts/contract-validator.js'
import type { EgressPolicy } from '../../core/egress/index.js'
import {
  ModuleExecutorClosedError,
  ModuleGpuUnavailableError,
  ModuleInputInvalidError,
  ModuleNotFoundError,
  ModuleSandboxUnavailableError,
  ModuleSecretMissingError,
} from '../../core/errors/index.js'
import type { Secret } from '../../core/secret.js'
import type {
  LoadedPackages,
  LoadedSubprocessPackage,
  QuarantinedPackage,
} from '../module-package.js'
import type { GpuAllocator, GpuLease } from '../gpu/gpu-allocator.js'
import type {
  ModuleDescriptor,
  ModuleExecutor,
  ModulePlacement,
  ModuleResult,
  ModuleRun,
} from '../module-executor.js'
import { quantityBytes } from '../wasm/wasm-checks.js'
import { ModuleEgress } from '../wasm/wasm-egress.js'
import { CallCgroup } from './cgroups.js'
import { startEgressProxy, type EgressProxy, type EgressResolver } from './egress-proxy.js'
import { settleOutcome } from './subprocess-outcome.js'
import {
  EGRESS_BRIDGE_FILE,
  EGRESS_SOCKET_FILE,
  SANDBOX_PACKAGE_DIR,
  sandboxCommand,
  type SandboxEgress,
} from './sandbox-command.js'
import { seccompProgram } from './seccomp-filter.js'
import { SECCOMP_FD } from './spawner-protocol.js'
import { runSandboxProcess } from './sandbox-process.js'
import { NOBODY, probeSandbox, type SandboxStatus, type SandboxUser } from './sandbox-probe.js'

/** The logger calls the executor makes (a pino Logger fits). */
export interface SandboxLogger {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
}

/** Options of {@link createSubprocessExecutor}. */
export interface SubprocessExecutorOptions {
  /** The packages to serve, as the AIP reader loaded them (subprocess ones; WASM ones are left to their executor). */
  readonly packages: LoadedPackages
  /** Identity calls run as when the platform is root. @default nobody (65534:65534) */
  readonly user?: SandboxUser
  /** Parent of per-call cgroups inside the hierarchy. @default the platform's own cgroup */
  readonly cgroupRoot?: string
  /**
   * Development only: when the sandbox probe fails, run subprocess modules
   * without the sandbox (warned at every call) instead of refusing them.
   * @default false
   */
  readonly allowUnsandboxed?: boolean
  /** Values of the secrets modules may declare, by name. @default none */
  readonly secrets?: ReadonlyMap<string, Secret>
  /** GPU placement; without it, modules that require a GPU are refused. */
  readonly gpus?: GpuAllocator
  readonly logger?: SandboxLogger
  /** Where the probe looks for bwrap and prlimit. @default PATH, /usr/bin, /bin */
  readonly searchPath?: readonly string[]
  /** @default 1048576 (1 MiB) */
  readonly stdoutLimitBytes?: number
  /** @default 1048576 (1 MiB) */
  readonly stderrLimitBytes?: number
  /** Processes (and threads) one call may have. @default 128 */
  readonly pidsMax?: number
  /** RLIMIT_FSIZE: the largest file a call may write. @default 67108864 (64 MiB) */
  readonly fileSizeLimitBytes?: number
  /** The platform's egress policy; a module's origin must pass it as well as its manifest. */
  readonly egress?: EgressPolicy
  /** Judges the addresses the egress proxy connects to. @default system DNS, link-local/unspecified refused */
  readonly egressResolver?: EgressResolver
}

/** A subprocess executor; close it to refuse further calls. */
export interface SubprocessModuleExecutor extends ModuleExecutor {
  quarantined(): readonly QuarantinedPackage[]
  /** What the startup probe found: cgroup version, tools, identity, or why it is unavailable. */
  sandbox(): SandboxStatus
  /** The package directory of a module this executor serves. */
  packageDir(module: string): string | undefined
  /** GPU placement (routing-time checks with `available`, utilisation with `readings`), if configured. */
  gpus(): GpuAllocator | undefined
  /** Whether the module's GPU policy can be placed now (see ModuleExecutor.placement). */
  placement(module: string): ModulePlacement
  close(): Promise<void>
}

const MIB = 1024 * 1024
const BRIDGE_SOURCE = fileURLToPath(new URL('./egress-bridge.js', import.meta.url))
const MODULE_PATH = '/usr/local/bin:/usr/bin:/bin'
const noLogger: SandboxLogger = { info: () => undefined, warn: () => undefined }

/** Cores from a manifest `cpu` (`0.5`, `2`, `500m`). */
function cores(cpu: string | undefined): number {
  if (cpu === undefined) return 1
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu)
}

/** One call's egress proxy and where the sandbox finds it. */
interface CallProxy {
  readonly plan: SandboxEgress
  close(): Promise<void>
}

class SandboxedSubprocessExecutor implements SubprocessModuleExecutor {
  private readonly descriptors: ReadonlyMap<string, ModuleDescriptor>
  /** The seccomp program every sandboxed call runs under (built once; the probe tried it). */
  private readonly seccomp: Uint8Array | undefined
  private closed = false
  private readonly inFlight = new Set<AbortController>()

  constructor(
    private readonly packages: ReadonlyMap<string, LoadedSubprocessPackage>,
    private readonly rejected: readonly QuarantinedPackage[],
    private readonly status: SandboxStatus,
    private readonly options: SubprocessExecutorOptions,
    private readonly logger: SandboxLogger,
  ) {
    this.descriptors = new Map([...packages].map(([name, pkg]) => [name, pkg.descriptor]))
    this.seccomp = status.available ? seccompProgram() : undefined
  }

  modules(): ReadonlyMap<string, ModuleDescriptor> {
    return this.descriptors
  }

  quarantined(): readonly QuarantinedPackage[] {
    return this.rejected
  }

  sandbox(): SandboxStatus {
    return this.status
  }

  packageDir(module: string): string | undefined {
    return this.packages.get(module)?.dir
  }

  gpus(): GpuAllocator | undefined {
    return this.options.gpus
  }

  placement(module: string): ModulePlacement {
    const policy = this.packages.get(module)?.manifest.runtime.resources.gpu
    if (!policy?.required || policy.vendor === 'none') return { ok: true }
    if (!this.options.gpus) {
      return { ok: false, reason: 'GPU placement is not configured on this platform' }
    }
    return this.options.gpus.available(policy)
  }

  async close(): Promise<void> {
    this.closed = true
    for (const controller of this.inFlight) controller.abort()
  }

  async run(request: ModuleRun): Promise<ModuleResult> {
    const name = request.module
    const pkg = this.packages.get(name)
    if (!pkg) throw new ModuleNotFoundError({ module: name })
    if (this.closed) throw new ModuleExecutorClosedError({ module: name })
    if (!pkg.validateInput(request.input)) {
      const violations = toViolations(pkg.validateInput.errors)
      throw new ModuleInputInvalidError({ module: name, violations })
    }
    if (!this.status.available && !this.options.allowUnsandboxed) {
      throw new ModuleSandboxUnavailableError({ module: name, reason: this.status.reason })
    }
    const env = this.moduleEnv(pkg)
    if (request.traceparent !== undefined) env.TRACEPARENT = request.traceparent
    const lease = await this.leaseGpus(pkg)
    const controller = new AbortController()
    const onAbort = () => controller.abort()
    request.signal.addEventListener('abort', onAbort, { once: true })
    if (request.signal.aborted) controller.abort()
    this.inFlight.add(controller)
    try {
      const timeoutMs = Math.min(request.timeoutMs, pkg.descriptor.timeoutMs)
      const call = { input: request.input, signal: controller.signal, timeoutMs }
      return await this.call(pkg, { ...env, ...lease.env }, lease, call)
    } finally {
      this.inFlight.delete(controller)
      request.signal.removeEventListener('abort', onAbort)
      lease.release()
    }
  }

  /** The module's whole environment: a fixed base and the secrets it declares. */
  private moduleEnv(pkg: LoadedSubprocessPackage): Record<string, string> {
    const env: Record<string, string> = {
      PATH: MODULE_PATH,
      HOME: '/tmp',
      TMPDIR: '/tmp',
      LANG: 'C.UTF-8',
      AIP_MODULE: pkg.descriptor.name,
      AIP_PACKAGE_DIR: this.status.available ? SANDBOX_PACKAGE_DIR : pkg.dir,
    }
    for (const declared of pkg.manifest.permissions.secrets ?? []) {
      const optional = declared.endsWith('?')
      const secret = optional ? declared.slice(0, -1) : declared
      const value = this.options.secrets?.get(secret)
      if (value !== undefined) env[secret] = value.reveal()
      else if (!optional)
        throw new ModuleSecretMissingError({ module: pkg.descriptor.name, secret })
    }
    return env
  }

  private async leaseGpus(pkg: LoadedSubprocessPackage): Promise<GpuLease> {
    const policy = pkg.manifest.runtime.resources.gpu
    if (this.options.gpus) {
      await this.options.gpus.refresh()
      return this.options.gpus.acquire(pkg.descriptor.name, policy)
    }
    if (policy?.required && policy.vendor !== 'none') {
      const reason = 'GPU placement is not configured on this platform'
      throw new ModuleGpuUnavailableError({
        module: pkg.descriptor.name,
        vendor: policy.vendor,
        count: policy.count ?? 1,
        reason,
      })
    }
    return { devices: [], env: {}, deviceNodes: [], release: () => undefined }
  }

  private async call(
    pkg: LoadedSubprocessPackage,
    env: Record<string, string>,
    lease: GpuLease,
    { input, signal, timeoutMs }: { input: unknown; signal: AbortSignal; timeoutMs: number },
  ): Promise<ModuleResult> {
    const memoryBytes = quantityBytes(pkg.manifest.runtime.resources.memory)
    const cpuSeconds = Math.ceil((timeoutMs / 1000) * cores(pkg.manifest.runtime.resources.cpu)) + 1
    const fileSizeBytes = this.options.fileSizeLimitBytes ?? 64 * MIB
    const status = this.status
    let cgroup: CallCgroup | undefined
    let proxy: CallProxy | undefined
    let command: string[]
    if (status.available) {
      const pidsMax = this.options.pidsMax ?? 128
      cgroup = await CallCgroup.create(status.cgroup, {
        memoryBytes,
        pidsMax,
        cpuCores: cores(pkg.manifest.runtime.resources.cpu),
      })
      if (pkg.manifest.permissions.network !== 'deny') proxy = await this.startProxy(pkg)
      command = sandboxCommand({
        bwrap: status.bwrap,
        prlimit: status.prlimit,
        packageDir: pkg.dir,
        entrypoint: pkg.manifest.runtime.module,
        ...(proxy ? { egress: proxy.plan } : {}),
        seccompFd: SECCOMP_FD,
        env,
        tmpBytes: memoryBytes,
        cpuSeconds,
        fileSizeBytes,
        devices: lease.deviceNodes,
      })
    } else {
      this.logger.warn(
        { module: pkg.descriptor.name, reason: status.reason },
        'AION_SANDBOX_ALLOW_UNSANDBOXED: running a subprocess module WITHOUT the sandbox (development only)',
      )
      command = [pkg.entrypoint]
    }
    try {
      const outcome = await runSandboxProcess({
        command,
        // Never as root, sandbox or not.
        user: status.available ? status.user : this.unsandboxedUser(),
        env,
        stdin: Buffer.from(JSON.stringify(input)),
        stdoutLimitBytes: this.options.stdoutLimitBytes ?? MIB,
        stderrLimitBytes: this.options.stderrLimitBytes ?? MIB,
        timeoutMs,
        signal,
        cgroup,
        ...(status.available ? { seccomp: this.seccomp } : {}),
      })
      const hit = cgroup ? await cgroup.limitsHit() : { memory: false, pids: false }
      const memoryPeakBytes = await cgroup?.memoryPeakBytes()
      const result = settleOutcome(pkg, outcome, {
        closed: this.closed,
        hit,
        limits: {
          timeoutMs,
          memoryBytes,
          fileSizeBytes,
          cpuSeconds,
          pidsMax: this.options.pidsMax ?? 128,
          stdoutLimitBytes: this.options.stdoutLimitBytes ?? MIB,
        },
      })
      return memoryPeakBytes === undefined ? result : { ...result, memoryPeakBytes }
    } finally {
      if (cgroup) {
        await cgroup.kill()
        await cgroup.remove()
      }
      await proxy?.close()
    }
  }

  /**
   * The call's egress proxy: a fresh directory holding the bridge and the proxy's
   * socket, both reachable by the sandbox user.
   */
  private async startProxy(pkg: LoadedSubprocessPackage): Promise<CallProxy> {
    const hostDir = await mkdtemp(join(tmpdir(), 'aion-egress-'))
    try {
      await chmod(hostDir, 0o755)
      await copyFile(BRIDGE_SOURCE, join(hostDir, EGRESS_BRIDGE_FILE))
      await chmod(join(hostDir, EGRESS_BRIDGE_FILE), 0o644)
      const socketPath = join(hostDir, EGRESS_SOCKET_FILE)
      const egress = new ModuleEgress(pkg.manifest.permissions.network, this.options.egress)
      const server: EgressProxy = await startEgressProxy({
        socketPath,
        egress,
        ...(this.options.egressResolver ? { resolver: this.options.egressResolver } : {}),
      })
      await chmod(socketPath, 0o777)
      return {
        plan: { hostDir, node: process.execPath },
        async close() {
          await server.close()
          await rm(hostDir, { recursive: true, force: true })
        },
      }
    } catch (error) {
      await rm(hostDir, { recursive: true, force: true })
      throw error
    }
  }

  private unsandboxedUser(): SandboxUser | undefined {
    return process.getuid?.() === 0 ? (this.options.user ?? NOBODY) : undefined
  }
}

/**
 * Serves the loaded subprocess packages (WASM packages are left to the WASM
 * executor) and probes the sandbox once. Logs which cgroup version
 * serves the limits, or why subprocess packages will be refused.
 */
export async function createSubprocessExecutor(
  options: SubprocessExecutorOptions,
): Promise<SubprocessModuleExecutor> {
  const logger = options.logger ?? noLogger
  const { subprocess, quarantined } = options.packages
  const status = await probeSandbox({
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.cgroupRoot === undefined ? {} : { cgroupRoot: options.cgroupRoot }),
    ...(options.searchPath === undefined ? {} : { searchPath: options.searchPath }),
  })
  if (status.available) {
    logger.info(
      {
        cgroupVersion: status.cgroup.version,
        user: status.user ?? 'self',
        packages: subprocess.length,
      },
      `subprocess sandbox ready (bubblewrap, cgroup v${status.cgroup.version})`,
    )
  } else {
    const fallback = options.allowUnsandboxed
      ? 'AION_SANDBOX_ALLOW_UNSANDBOXED is on: subprocess modules will run WITHOUT the sandbox'
      : 'subprocess modules will be refused'
    logger.warn({ reason: status.reason }, `subprocess sandbox unavailable; ${fallback}`)
  }
  const packages = new Map(subprocess.map((pkg) => [pkg.descriptor.name, pkg]))
  return new SandboxedSubprocessExecutor(packages, quarantined, status, options, logger)
}
