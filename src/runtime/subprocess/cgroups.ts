/**
 * cgroups for sandboxed subprocesses: which hierarchy this host offers for the
 * memory and pids controllers (cgroup v2 first, else v1), and one cgroup per
 * call that holds the limits, tells afterwards whether a limit was hit, kills
 * every process in it, and is removed after the call.
 *
 * Detection reads `/proc/self/mountinfo` and `/proc/self/cgroup` (the paths are
 * options, so tests can point them at recorded copies). Per-call cgroups are
 * created under the platform's own cgroup unless a root is configured.
 */
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** Where per-call cgroups are created, or why they cannot be. */
export type CgroupSupport =
  | { readonly version: 2; readonly parent: string; readonly cpu: boolean }
  | {
      readonly version: 1
      readonly memoryParent: string
      readonly pidsParent: string
      /** The cpu controller's parent, when this host offers one (the CPU quota is optional). */
      readonly cpuParent: string | undefined
    }
  | { readonly version: 'none'; readonly reason: string }

/** Options of {@link detectCgroups}. */
export interface CgroupDetectOptions {
  /** @default '/proc/self/mountinfo' */
  readonly mountinfoFile?: string
  /** @default '/proc/self/cgroup' */
  readonly cgroupFile?: string
  /**
   * Parent of per-call cgroups, as a path inside the hierarchy (`/aion`).
   * @default the platform process's own cgroup
   */
  readonly root?: string
  /** Prefix joined before every mount point (tests point it at a recorded tree). @default '' */
  readonly fsRoot?: string
}

interface CgroupMount {
  readonly version: 1 | 2
  readonly mountPoint: string
  /** The hierarchy path mounted there (`/` unless a namespace or bind narrows it). */
  readonly root: string
  readonly controllers: readonly string[]
}

/** The cgroup mounts listed in a mountinfo file's text. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = []
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ')
    if (left === undefined || right === undefined) continue
    const fields = left.split(' ')
    const [fsType, , superOptions = ''] = right.split(' ')
    const root = fields[3]
    const mountPoint = fields[4]
    if (root === undefined || mountPoint === undefined) continue
    if (fsType === 'cgroup2') mounts.push({ version: 2, mountPoint, root, controllers: [] })
    if (fsType === 'cgroup') {
      mounts.push({ version: 1, mountPoint, root, controllers: superOptions.split(',') })
    }
  }
  return mounts
}

/** The process's cgroup per v1 controller, and its v2 path under the key `''`. */
export function parseProcCgroup(text: string): Map<string, string> {
  const paths = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim())
    if (!match) continue
    const [, hierarchy, controllers = '', path = '/'] = match
    if (hierarchy === '0' && controllers === '') paths.set('', path)
    for (const controller of controllers.split(',')) if (controller) paths.set(controller, path)
  }
  return paths
}

/** The directory of hierarchy path `path` under `mount`. */
function directoryOf(fsRoot: string, mount: CgroupMount, path: string): string {
  const inside = posix.relative(mount.root, path)
  return join(fsRoot, mount.mountPoint, inside.startsWith('..') ? '.' : inside)
}

async function read(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined)
}

/** Creates and removes a trial child, proving per-call cgroups can be made here. */
async function canCreateChildren(parent: string): Promise<string | undefined> {
  const trial = join(parent, `aion-probe-${process.pid}`)
  try {
    await mkdir(trial)
    await rmdir(trial)
    return undefined
  } catch (error) {
    return `cannot create cgroups under ${parent}: ${(error as Error).message}`
  }
}

async function detectV2(mount: CgroupMount, own: string, options: CgroupDetectOptions) {
  const parent = directoryOf(options.fsRoot ?? '', mount, options.root ?? own)
  const available = ((await read(join(parent, 'cgroup.controllers'))) ?? '').split(/\s+/)
  const missing = ['memory', 'pids'].filter((c) => !available.includes(c))
  if (missing.length > 0) {
    return `cgroup v2 at ${parent} does not offer ${missing.join(' and ')}`
  }
  const enabled = async () =>
    ((await read(join(parent, 'cgroup.subtree_control'))) ?? '').split(/\s+/)
  // cpu is optional: it only adds the CPU quota.
  const wanted = available.includes('cpu') ? ['memory', 'pids', 'cpu'] : ['memory', 'pids']
  const before = await enabled()
  if (!wanted.every((c) => before.includes(c))) {
    // Fails when processes live in `parent` itself (no internal processes): configure a root then.
    const change = wanted.map((c) => `+${c}`).join(' ')
    await writeFile(join(parent, 'cgroup.subtree_control'), change).catch(() => undefined)
  }
  const now = await enabled()
  if (!now.includes('memory') || !now.includes('pids')) {
    return `cgroup v2 at ${parent} cannot delegate memory and pids to children (set AION_SANDBOX_CGROUP_ROOT to a delegated cgroup)`
  }
  const failure = await canCreateChildren(parent)
  return failure ?? { version: 2 as const, parent, cpu: now.includes('cpu') }
}

async function detectV1(
  mounts: CgroupMount[],
  own: Map<string, string>,
  options: CgroupDetectOptions,
) {
  const parents: string[] = []
  for (const controller of ['memory', 'pids']) {
    const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller))
    if (!mount) return `no cgroup v1 hierarchy with the ${controller} controller`
    const path = options.root ?? own.get(controller) ?? '/'
    const parent = directoryOf(options.fsRoot ?? '', mount, path)
    const failure = await canCreateChildren(parent)
    if (failure) return failure
    parents.push(parent)
  }
  const [memoryParent = '', pidsParent = ''] = parents
  const cpuMount = mounts.find((m) => m.version === 1 && m.controllers.includes('cpu'))
  let cpuParent: string | undefined
  if (cpuMount) {
    const dir = directoryOf(options.fsRoot ?? '', cpuMount, options.root ?? own.get('cpu') ?? '/')
    cpuParent = (await canCreateChildren(dir)) === undefined ? dir : undefined
  }
  return { version: 1 as const, memoryParent, pidsParent, cpuParent }
}

/**
 * Finds where this process can create per-call cgroups with the memory and pids
 * controllers: cgroup v2 when it offers both, else v1, else `none` with the
 * reasons. Never throws.
 */
export async function detectCgroups(options: CgroupDetectOptions = {}): Promise<CgroupSupport> {
  const mountinfo = await read(options.mountinfoFile ?? '/proc/self/mountinfo')
  const procCgroup = await read(options.cgroupFile ?? '/proc/self/cgroup')
  if (mountinfo === undefined || procCgroup === undefined) {
    return { version: 'none', reason: 'cannot read /proc/self/mountinfo and /proc/self/cgroup' }
  }
  const mounts = parseCgroupMounts(mountinfo)
  const own = parseProcCgroup(procCgroup)
  const reasons: string[] = []
  const v2 = mounts.find((m) => m.version === 2)
  if (v2) {
    const result = await detectV2(v2, own.get('') ?? '/', options)
    if (typeof result !== 'string') return result
    reasons.push(result)
  } else reasons.push('no cgroup v2 mount')
  const v1 = await detectV1(mounts, own, options)
  if (typeof v1 !== 'string') return v1
  reasons.push(v1)
  return { version: 'none', reason: reasons.join('; ') }
}

/** Limits of one call's cgroup. */
export interface CallCgroupLimits {
  readonly memoryBytes: number
  readonly pidsMax: number
  /** CPU quota in cores (CFS bandwidth), where the host offers the cpu controller. */
  readonly cpuCores?: number
}

const CPU_PERIOD_US = 100_000

/** Which limits the call's processes ran into. */
export interface CgroupLimitsHit {
  readonly memory: boolean
  readonly pids: boolean
}

let sequence = 0

/** One call's cgroup (a directory per hierarchy); create with {@link CallCgroup.create}. */
export class CallCgroup {
  private constructor(
    readonly version: 1 | 2,
    private readonly memoryDir: string,
    private readonly pidsDir: string,
    /** Undefined when the host offers no cpu controller. */
    private readonly cpuDir: string | undefined,
  ) {}

  /** Creates the call's cgroup and writes its limits; removes it again if a write fails. */
  static async create(
    support: Exclude<CgroupSupport, { version: 'none' }>,
    limits: CallCgroupLimits,
  ): Promise<CallCgroup> {
    const name = `aion-call-${process.pid}-${++sequence}`
    const cgroup =
      support.version === 2
        ? new CallCgroup(
            2,
            join(support.parent, name),
            join(support.parent, name),
            support.cpu ? join(support.parent, name) : undefined,
          )
        : new CallCgroup(
            1,
            join(support.memoryParent, name),
            join(support.pidsParent, name),
            support.cpuParent === undefined ? undefined : join(support.cpuParent, name),
          )
    try {
      for (const dir of cgroup.directories()) await mkdir(dir)
      await cgroup.writeLimits(limits)
    } catch (error) {
      await cgroup.remove()
      throw error
    }
    return cgroup
  }

  private async writeLimits(limits: CallCgroupLimits): Promise<void> {
    const memory = String(limits.memoryBytes)
    await writeFile(join(this.pidsDir, 'pids.max'), String(limits.pidsMax))
    if (this.cpuDir !== undefined && limits.cpuCores !== undefined) {
      const quotaUs = String(Math.max(1000, Math.round(limits.cpuCores * CPU_PERIOD_US)))
      if (this.version === 2) {
        await writeFile(join(this.cpuDir, 'cpu.max'), `${quotaUs} ${CPU_PERIOD_US}`)
      } else {
        await writeFile(join(this.cpuDir, 'cpu.cfs_period_us'), String(CPU_PERIOD_US))
        await writeFile(join(this.cpuDir, 'cpu.cfs_quota_us'), quotaUs)
      }
    }
    if (this.version === 2) {
      await writeFile(join(this.memoryDir, 'memory.max'), memory)
      // No swap: the limit is the limit. Absent when swap accounting is off.
      await writeFile(join(this.memoryDir, 'memory.swap.max'), '0').catch(() => undefined)
    } else {
      await writeFile(join(this.memoryDir, 'memory.limit_in_bytes'), memory)
      await writeFile(join(this.memoryDir, 'memory.memsw.limit_in_bytes'), memory).catch(
        () => undefined,
      )
    }
  }

  /** The directories of the call's cgroup (one for v2; memory, pids and maybe cpu for v1). */
  directories(): readonly string[] {
    return [...new Set([this.memoryDir, this.pidsDir, ...(this.cpuDir ? [this.cpuDir] : [])])]
  }

  /** The `cgroup.procs` files a process is written to, to enter the cgroup. */
  procsFiles(): string[] {
    return this.directories().map((dir) => join(dir, 'cgroup.procs'))
  }

  /** Moves process `pid` (and so all it will spawn) into the cgroup. */
  async attach(pid: number): Promise<void> {
    for (const dir of this.directories()) await writeFile(join(dir, 'cgroup.procs'), String(pid))
  }

  /** Whether the memory limit killed a process (OOM) or the pids limit refused a fork. */
  async limitsHit(): Promise<CgroupLimitsHit> {
    const count = (text: string | undefined, key: string) =>
      Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text ?? '')?.[1] ?? 0)
    const memoryFile = this.version === 2 ? 'memory.events' : 'memory.oom_control'
    const memory = count(await read(join(this.memoryDir, memoryFile)), 'oom_kill') > 0
    const pids = count(await read(join(this.pidsDir, 'pids.events')), 'max') > 0
    return { memory, pids }
  }

  /** The most memory the call's processes used together (bytes), if the kernel reports it. */
  async memoryPeakBytes(): Promise<number | undefined> {
    const file = this.version === 2 ? 'memory.peak' : 'memory.max_usage_in_bytes'
    const value = Number((await read(join(this.memoryDir, file)))?.trim())
    return Number.isFinite(value) && value > 0 ? value : undefined
  }

  /** Kills every process in the cgroup (v2: `cgroup.kill`; v1: SIGKILL each listed pid until none is left). */
  async kill(): Promise<void> {
    if (this.version === 2) {
      const killed = await writeFile(join(this.pidsDir, 'cgroup.kill'), '1').then(
        () => true,
        () => false,
      )
      if (killed) return
    }
    for (let round = 0; round < 50; round++) {
      const pids = ((await read(join(this.pidsDir, 'cgroup.procs'))) ?? '')
        .split('\n')
        .filter(Boolean)
      if (pids.length === 0) return
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // Already gone.
        }
      }
      await sleep(5)
    }
  }

  /** Removes the cgroup, waiting briefly for killed processes to be reaped. */
  async remove(): Promise<void> {
    for (const dir of this.directories()) {
      for (let attempt = 0; attempt < 40; attempt++) {
        const error = await rmdir(dir).then(
          () => undefined,
          (e: NodeJS.ErrnoException) => e,
        )
        if (error === undefined || error.code === 'ENOENT') break
        await sleep(Math.min(5 * 2 ** attempt, 100))
      }
    }
  }
}
