/**
 * The startup probe of the subprocess sandbox: finds `bwrap` and `prlimit`,
 * detects the usable cgroup hierarchy, and runs one trial command exactly as a
 * call would run (unprivileged user, cgroup, rlimits, bubblewrap). When any
 * step fails the sandbox is unavailable and subprocess packages are refused
 * with the reason; nothing ever runs unsandboxed because of it.
 */
import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { CallCgroup, detectCgroups, type CgroupSupport } from './cgroups.js'
import { sandboxCommand } from './sandbox-command.js'
import { runSandboxProcess } from './sandbox-process.js'
import { seccompProgram } from './seccomp-filter.js'
import { SECCOMP_FD } from './spawner-protocol.js'

/** The unprivileged identity subprocesses run as when the platform runs as root. */
export interface SandboxUser {
  readonly uid: number
  readonly gid: number
}

/** Options of {@link probeSandbox}. */
export interface SandboxProbeOptions {
  /** @default { uid: 65534, gid: 65534 } (nobody) */
  readonly user?: SandboxUser
  /** Parent of per-call cgroups inside the hierarchy. @default the platform's own cgroup */
  readonly cgroupRoot?: string
  /** Directories searched for bwrap and prlimit. @default PATH plus /usr/bin and /bin */
  readonly searchPath?: readonly string[]
}

/** The sandbox as the probe found it. */
export type SandboxStatus =
  | {
      readonly available: true
      readonly bwrap: string
      readonly prlimit: string
      readonly cgroup: Exclude<CgroupSupport, { version: 'none' }>
      /** The identity calls run as; undefined when the platform itself is not root. */
      readonly user: SandboxUser | undefined
    }
  | { readonly available: false; readonly reason: string }

/** The sandbox user of nobody/nogroup. */
export const NOBODY: SandboxUser = { uid: 65534, gid: 65534 }

async function findExecutable(name: string, dirs: readonly string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    const path = join(dir, name)
    if (
      await access(path, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return path
  }
  return undefined
}

/** Probes the sandbox; never throws. */
export async function probeSandbox(options: SandboxProbeOptions = {}): Promise<SandboxStatus> {
  if (process.platform !== 'linux') {
    return { available: false, reason: `bubblewrap needs Linux, not ${process.platform}` }
  }
  const dirs = options.searchPath ?? [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
    '/usr/bin',
    '/bin',
  ]
  const bwrap = await findExecutable('bwrap', dirs)
  if (!bwrap) return { available: false, reason: 'bwrap (bubblewrap) is not installed' }
  const prlimit = await findExecutable('prlimit', dirs)
  if (!prlimit) return { available: false, reason: 'prlimit (util-linux) is not installed' }
  const cgroup = await detectCgroups(
    options.cgroupRoot === undefined ? {} : { root: options.cgroupRoot },
  )
  if (cgroup.version === 'none') {
    return { available: false, reason: `no usable cgroups: ${cgroup.reason}` }
  }
  const user = process.getuid?.() === 0 ? (options.user ?? NOBODY) : undefined
  const failure = await trialRun(bwrap, prlimit, cgroup, user)
  if (failure) return { available: false, reason: failure }
  return { available: true, bwrap, prlimit, cgroup, user }
}

/** Runs `true` the way a call runs a module; returns why it failed, if it did. */
async function trialRun(
  bwrap: string,
  prlimit: string,
  support: Exclude<CgroupSupport, { version: 'none' }>,
  user: SandboxUser | undefined,
): Promise<string | undefined> {
  let seccomp: Uint8Array
  try {
    seccomp = seccompProgram()
  } catch (error) {
    return (error as Error).message
  }
  let cgroup: CallCgroup
  try {
    cgroup = await CallCgroup.create(support, { memoryBytes: 64 * 1024 * 1024, pidsMax: 16 })
  } catch (error) {
    return `cannot create a cgroup: ${(error as Error).message}`
  }
  try {
    const command = sandboxCommand({
      bwrap,
      prlimit,
      packageDir: '/usr/bin',
      entrypoint: 'true',
      seccompFd: SECCOMP_FD,
      env: { PATH: '/usr/bin:/bin' },
      tmpBytes: 1024 * 1024,
      cpuSeconds: 5,
      fileSizeBytes: 1024 * 1024,
      devices: [],
    })
    const outcome = await runSandboxProcess({
      command,
      user,
      env: { PATH: '/usr/bin:/bin' },
      stdin: new Uint8Array(),
      seccomp,
      stdoutLimitBytes: 4096,
      stderrLimitBytes: 4096,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      cgroup,
    })
    if (outcome.kind === 'exited' && outcome.exitCode === 0) return undefined
    const detail = outcome.kind === 'failed' ? outcome.detail : outcome.kind
    const stderr = outcome.stderr.toString('utf8').trim().slice(-512)
    const code = outcome.kind === 'exited' ? `exit status ${outcome.exitCode}` : detail
    return `a trial sandbox run failed (${code})${stderr ? `: ${stderr}` : ''}`
  } finally {
    await cgroup.kill()
    await cgroup.remove()
  }
}
